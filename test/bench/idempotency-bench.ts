/**
 * The same dedupe done with Powertools' `makeIdempotent` (DynamoDB persistence) on the same DynamoDB
 * Local: its latency as a ratio to our start, and how many duplicates each lets through under 100
 * concurrent identical starts. Powertools dedupes *requests* (same payload within its expiry);
 * ours dedupes *active runs* (same key while queued/running) and answers every caller with the run.
 */
import { CATALOG } from '../../shared/operations/catalog.js';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { makeIdempotent, IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeDocumentClient, makeDynamoClient } from '../../shared/store/clients.js';
import { makeSqsClient } from '../../shared/queue/sqs-client.js';
import { createTableInput } from '../../shared/store/table.js';
import { RunStore } from '../../shared/store/run-store.js';
import { RunService, type StartRunRequest } from '../../shared/runs/service.js';
import { SqsWorkQueue } from '../../shared/queue/sqs-work-queue.js';
import { fmt, median, timeEach } from './harness.js';

export async function idempotencyBench(svc: { dynamoEndpoint: string; sqsEndpoint: string }, n = 100) {
  const dynamo = makeDynamoClient(svc.dynamoEndpoint);
  const doc = makeDocumentClient(dynamo);
  const sqs = makeSqsClient(svc.sqsEndpoint);
  const table = `bench-idem-${Date.now()}`;
  const idemTable = `bench-idem-store-${Date.now()}`;
  await dynamo.send(new CreateTableCommand(createTableInput(table)));
  await dynamo.send(new CreateTableCommand({ TableName: idemTable, BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] }));
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `bench-idem-${Date.now()}` }))).QueueUrl!;
  const store = new RunStore(doc, table);
  const queue = new SqsWorkQueue(sqs, queueUrl);
  const ours = new RunService({ catalog: CATALOG, store, queue });

  const idemConfig = new IdempotencyConfig({ eventKeyJmesPath: '[tenantId, type, input]' });
  idemConfig.registerLambdaContext({ getRemainingTimeInMillis: () => 30_000 } as never);
  // The Powertools version: the body writes the run (no key item; Powertools holds the lock) and enqueues.
  let bodyExecutions = 0;
  const plain = new RunService({ catalog: CATALOG, store, queue });
  const startWithPowertools = makeIdempotent(
    async (req: StartRunRequest) => {
      bodyExecutions++;
      const run = plain.newRun(req);
      await doc.send(new PutCommand({ TableName: table, Item: { pk: `TENANT#${run.tenantId}`, sk: `PTRUN#${run.id}`, ...run } }));
      await queue.send({ runId: run.id, tenantId: run.tenantId, type: run.type });
      return { runId: run.id };
    },
    {
      persistenceStore: new DynamoDBPersistenceLayer({ tableName: idemTable, awsSdkV3Client: dynamo as never }),
      config: idemConfig,
    },
  );
  const req = (i: number, tenantId: string): StartRunRequest => ({ tenantId, type: 'policy.sync', input: { policyIds: [`p${i}`] }, initiator: { userId: 'bench', name: 'Bench' }, surface: 'api' });

  await ours.startRun(req(-1, 'warm'));
  await startWithPowertools(req(-1, 'warm'));

  const oursMs = await timeEach(n, (i) => ours.startRun(req(i, 'lat-ours')));
  const ptMs = await timeEach(n, (i) => startWithPowertools(req(i, 'lat-pt')));

  // 100 concurrent identical starts
  bodyExecutions = 0;
  const oursResults = await Promise.allSettled(Array.from({ length: 100 }, () => ours.startRun(req(0, 'race-ours'))));
  const oursIds = new Set(oursResults.flatMap((r) => (r.status === 'fulfilled' ? [r.value.run.id] : [])));
  const oursErrors = oursResults.filter((r) => r.status === 'rejected').length;
  const ptResults = await Promise.allSettled(Array.from({ length: 100 }, () => startWithPowertools(req(0, 'race-pt'))));
  const ptIds = new Set(ptResults.flatMap((r) => (r.status === 'fulfilled' ? [r.value.runId] : [])));
  const ptErrors = ptResults.filter((r) => r.status === 'rejected');
  const ptErrorNames = [...new Set(ptErrors.map((r) => ((r as PromiseRejectedResult).reason as Error)?.name))];

  console.log(`\n## Dedupe: ours vs Powertools makeIdempotent (same DynamoDB Local, n=${n})`);
  console.log(`median start: ours ${fmt(median(oursMs))} ms, Powertools ${fmt(median(ptMs))} ms → Powertools/ours ${fmt(median(ptMs) / median(oursMs))}`);
  console.log(`100 concurrent identical starts — ours: ${oursIds.size} run(s) created, duplicates let through ${oursIds.size - 1}, callers answered with the run ${100 - oursErrors}/100`);
  console.log(`100 concurrent identical starts — Powertools: body ran ${bodyExecutions}×, duplicates let through ${Math.max(0, bodyExecutions - 1)}, callers answered with the run ${100 - ptErrors.length}/100 (the rest got ${ptErrorNames.join(', ') || 'no error'})`);
  return { oursMedian: median(oursMs), powertoolsMedian: median(ptMs), ratio: median(ptMs) / median(oursMs), oursDuplicates: oursIds.size - 1, powertoolsDuplicates: Math.max(0, bodyExecutions - 1), powertoolsErrors: ptErrors.length };
}
