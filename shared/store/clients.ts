/**
 * AWS SDK clients, configured from the settings. In AWS the defaults apply; locally and in tests
 * `DYNAMODB_ENDPOINT` / `SQS_ENDPOINT` (settings().dynamodbEndpoint / sqsEndpoint) point at DynamoDB Local and fauxqs.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { traced } from '../observability/tracer.js';
import { settings } from '../settings.js';
import { addLocalLockTimeoutAsConflict } from './local-lock-timeout.js';

const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

function localConfig(endpoint: string | undefined) {
  if (!endpoint) return {};
  return { endpoint, region: settings().region, credentials: localCredentials, maxAttempts: 3 };
}

export function makeDynamoClient(endpoint = settings().dynamodbEndpoint): DynamoDBClient {
  const client = new DynamoDBClient(localConfig(endpoint));
  // DynamoDB Local's lock timeout, told as DynamoDB tells contention (local-lock-timeout.ts).
  if (endpoint) addLocalLockTimeoutAsConflict(client);
  return traced(client);
}

export function makeDocumentClient(client: DynamoDBClient = makeDynamoClient()): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

export function makeSqsClient(endpoint = settings().sqsEndpoint): SQSClient {
  return traced(new SQSClient(localConfig(endpoint)));
}

let doc: DynamoDBDocumentClient | undefined;
let sqs: SQSClient | undefined;
/** Process-wide clients, created on first use (a Lambda container reuses them across invocations). */
export const sharedDocumentClient = () => (doc ??= makeDocumentClient());
export const sharedSqsClient = () => (sqs ??= makeSqsClient());
