/**
 * AWS SDK clients, configured from the settings. In AWS the defaults apply; locally and in tests
 * `DYNAMODB_ENDPOINT` / `SQS_ENDPOINT` (settings().dynamodbEndpoint / sqsEndpoint) point at DynamoDB Local and fauxqs.
 * The SQS client: shared/queue/sqs-client.ts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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

/**
 * The SQS client's configuration. The client itself is built in shared/queue/sqs-client.ts: a module
 * that imports the SDK's SQS package is one the run worker must not import statically (code
 * splitting assigns a package to every chunk whose import graph reaches it: its SQS client loads on
 * the first send, shared/queue/lazy-sqs-work-queue.ts).
 */
export const sqsClientConfig = (endpoint = settings().sqsEndpoint) => localConfig(endpoint);

let doc: DynamoDBDocumentClient | undefined;
/** Process-wide clients, created on first use (a Lambda container reuses them across invocations). */
export const sharedDocumentClient = () => (doc ??= makeDocumentClient());
