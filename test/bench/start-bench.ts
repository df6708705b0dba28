/**
 * Start-path figures (§11 SC-002, SC-003): SDK calls per start on the happy and dedupe paths, and the
 * median start latency as a ratio to one plain PutItem on the same DynamoDB Local.
 */
import { CATALOG } from '../../shared/operations/catalog.js';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { makeDocumentClient, makeDynamoClient } from '../../shared/store/clients.js';
import { makeSqsClient } from '../../shared/queue/sqs-client.js';
import { createTableInput } from '../../shared/store/table.js';
import { RunStore } from '../../shared/store/run-store.js';
import { RunService } from '../../shared/runs/service.js';
import { SqsWorkQueue } from '../../shared/queue/sqs-work-queue.js';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { countCalls, fmt, median, timeEach } from './harness.js';

export async function startBench(svc: { dynamoEndpoint: string; sqsEndpoint: string }, n = 200) {
  const dynamo = makeDynamoClient(svc.dynamoEndpoint);
  const doc = makeDocumentClient(dynamo);
  const sqs = makeSqsClient(svc.sqsEndpoint);
  const table = `bench-start-${Date.now()}`;
  await dynamo.send(new CreateTableCommand(createTableInput(table)));
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `bench-${Date.now()}` }))).QueueUrl!;
  const service = new RunService({ catalog: CATALOG, store: new RunStore(doc, table), queue: new SqsWorkQueue(sqs, queueUrl) });
  const calls = countCalls(dynamo, sqs);
  const initiator = { userId: 'bench', name: 'Bench' };

  // warm up connections
  await service.startRun({ tenantId: 'warm', type: 'policy.sync', input: { policyIds: ['w'] }, initiator, surface: 'api' });

  calls.reset();
  const happy = await timeEach(n, (i) => service.startRun({ tenantId: 'bench', type: 'policy.sync', input: { policyIds: [`p${i}`] }, initiator, surface: 'api' }));
  const happyCalls = calls.total() / n;
  const happyByName = calls.byName();

  calls.reset();
  const dedupe = await timeEach(n, (i) => service.startRun({ tenantId: 'bench', type: 'policy.sync', input: { policyIds: [`p${i}`] }, initiator, surface: 'api' }));
  const dedupeCalls = calls.total() / n;
  const dedupeByName = calls.byName();

  const put = await timeEach(n, (i) => doc.send(new PutCommand({ TableName: table, Item: { pk: 'TENANT#bench-put', sk: `X#${i}`, v: i } })));

  const figures = {
    sdkCallsPerStartHappy: happyCalls,
    sdkCallsPerStartDedupe: dedupeCalls,
    medianStartMs: median(happy),
    medianDedupeMs: median(dedupe),
    medianPutItemMs: median(put),
    startToPutRatio: median(happy) / median(put),
  };
  console.log(`\n## Start path (n=${n})`);
  console.log(`SDK calls per start, happy path:  ${fmt(happyCalls)}  ${JSON.stringify(happyByName)}  (target 2)`);
  console.log(`SDK calls per start, dedupe path: ${fmt(dedupeCalls)}  ${JSON.stringify(dedupeByName)}  (target ≤ 2)`);
  console.log(`median start ${fmt(figures.medianStartMs)} ms, dedupe ${fmt(figures.medianDedupeMs)} ms, one PutItem ${fmt(figures.medianPutItemMs)} ms → start/PutItem ratio ${fmt(figures.startToPutRatio)}`);
  return figures;
}
