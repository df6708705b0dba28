/**
 * Test wiring: a fresh table on the shared DynamoDB Local and a fresh queue pair on the shared fauxqs
 * for each test file, so files never see each other's data.
 */
import { CATALOG } from '../../shared/operations/catalog.js';
import { inject } from 'vitest';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { randomBytes } from 'node:crypto';
import { makeDocumentClient, makeDynamoClient } from '../../shared/store/clients.js';
import { makeSqsClient } from '../../shared/queue/sqs-client.js';
import { createTableInput } from '../../shared/store/table.js';
import { RunStore } from '../../shared/store/run-store.js';
import { RunService } from '../../shared/runs/service.js';
import { SqsWorkQueue } from '../../shared/queue/sqs-work-queue.js';

export const uniqueName = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

export async function createTestTable(client: DynamoDBClient, name = uniqueName('runs')) {
  await client.send(new CreateTableCommand(createTableInput(name)));
  return name;
}

let leased: Promise<string> | undefined;

/**
 * This test file's own DynamoDB Local, leased from the run's pool on first use (a fresh instance,
 * booted ahead of time: test/support/dynamo-pool.ts) and released when the file ends
 * (test/support/dynamo-per-file.ts). Files never see each other's data or load.
 */
export function dynamoEndpoint(): Promise<string> {
  return (leased ??= (async () => {
    const res = await fetch(`${inject('dynamoPool')}/lease`, { method: 'POST' });
    if (!res.ok) throw new Error(`no DynamoDB Local for this test file: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { endpoint: string }).endpoint;
  })());
}

/** Gives this file's DynamoDB Local back to the pool, which stops it. */
export async function releaseDynamoEndpoint(): Promise<void> {
  const endpoint = await leased?.catch(() => undefined);
  leased = undefined;
  if (!endpoint) return;
  await fetch(`${inject('dynamoPool')}/release`, { method: 'POST', body: JSON.stringify({ endpoint }) }).catch(() => undefined);
}

export async function createTestQueues(sqs: SQSClient, maxReceiveCount = 3, visibilityTimeout = 30) {
  const base = uniqueName('work');
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${base}-dlq` }));
  const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  const work = await sqs.send(
    new CreateQueueCommand({
      QueueName: base,
      Attributes: {
        VisibilityTimeout: String(visibilityTimeout),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }),
      },
    }),
  );
  return { workQueueUrl: work.QueueUrl!, dlqUrl: dlq.QueueUrl! };
}

const leaseDynamo = () => dynamoEndpoint();

export async function testEnv(opts: { clock?: () => Date } = {}) {
  const dynamoEndpoint = await leaseDynamo();
  const sqsEndpoint = inject('sqsEndpoint');
  const dynamo = makeDynamoClient(dynamoEndpoint);
  const doc = makeDocumentClient(dynamo);
  const sqs = makeSqsClient(sqsEndpoint);
  const table = await createTestTable(dynamo);
  const queues = await createTestQueues(sqs);
  const store = new RunStore(doc, table, opts.clock);
  const queue = new SqsWorkQueue(sqs, queues.workQueueUrl);
  const service = new RunService({ catalog: CATALOG, store, queue, clock: opts.clock });
  return { dynamoEndpoint, sqsEndpoint, dynamo, doc, sqs, table, ...queues, store, queue, service };
}
