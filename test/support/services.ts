/**
 * Test wiring: a fresh table on the shared DynamoDB Local and a fresh queue pair on the shared fauxqs
 * for each test file, so files never see each other's data.
 */
import { CATALOG } from '../../shared/operations/catalog.js';
import { inject } from 'vitest';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { randomBytes } from 'node:crypto';
import { makeDocumentClient, makeDynamoClient, makeSqsClient } from '../../shared/store/clients.js';
import { createTableInput } from '../../shared/store/table.js';
import { RunStore } from '../../shared/store/run-store.js';
import { RunService } from '../../shared/runs/service.js';
import { SqsWorkQueue } from '../../shared/queue/sqs-work-queue.js';

export const uniqueName = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

/** The tables this test file created: dropped when the file ends (test/support/drop-tables.ts). */
const created: Array<{ client: DynamoDBClient; name: string }> = [];

export async function createTestTable(client: DynamoDBClient, name = uniqueName('runs')) {
  await client.send(new CreateTableCommand(createTableInput(name)));
  created.push({ client, name });
  return name;
}

/**
 * Drops every table this file created. DynamoDB Local keeps one in-memory database for the whole run
 * (-sharedDb -inMemory): without this, every file's items (thousands for the chaos, size and fan-out
 * files) stay until the run ends and slow every later file.
 */
export async function dropCreatedTables(): Promise<void> {
  for (const { client, name } of created.splice(0)) {
    await client.send(new DeleteTableCommand({ TableName: name })).catch(() => undefined);
  }
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

export async function testEnv(opts: { clock?: () => Date } = {}) {
  const dynamoEndpoint = inject('dynamoEndpoint');
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
