/**
 * AWS SDK clients, configured from the environment. In AWS the defaults apply; locally and in tests
 * `DYNAMODB_ENDPOINT` / `SQS_ENDPOINT` point at DynamoDB Local and fauxqs.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { traced } from '../observability/tracer.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

function localConfig(endpoint: string | undefined) {
  if (!endpoint) return {};
  return { endpoint, region: process.env.AWS_REGION ?? 'us-east-1', credentials: localCredentials, maxAttempts: 3 };
}

export function makeDynamoClient(endpoint = process.env.DYNAMODB_ENDPOINT): DynamoDBClient {
  return traced(new DynamoDBClient(localConfig(endpoint)));
}

export function makeDocumentClient(client: DynamoDBClient = makeDynamoClient()): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

export function makeSqsClient(endpoint = process.env.SQS_ENDPOINT): SQSClient {
  return traced(new SQSClient(localConfig(endpoint)));
}

let doc: DynamoDBDocumentClient | undefined;
let sqs: SQSClient | undefined;
/** Process-wide clients, created on first use (a Lambda container reuses them across invocations). */
export const sharedDocumentClient = () => (doc ??= makeDocumentClient());
export const sharedSqsClient = () => (sqs ??= makeSqsClient());
