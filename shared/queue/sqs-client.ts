/**
 * The SQS client, configured from the settings (shared/store/clients.ts `sqsClientConfig`: the
 * defaults in AWS, fauxqs locally). Apart from clients.ts so that importing the DynamoDB client does
 * not reach the SQS package (see there).
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { traced } from '../observability/tracer.js';
import { sqsClientConfig } from '../store/clients.js';

export function makeSqsClient(endpoint?: string): SQSClient {
  return traced(new SQSClient(sqsClientConfig(endpoint)));
}

let sqs: SQSClient | undefined;
/** The process-wide client, created on first use (a Lambda container reuses it across invocations). */
export const sharedSqsClient = () => (sqs ??= makeSqsClient());
