/**
 * Monitoring list latency (§11): one Query per page, never a Scan, flat from 1 k to 100 k runs in a
 * tenant. Seeds runs straight into the table (BatchWriteItem) and times the first page, a filtered
 * page and a deep page (via cursor), counting the SDK calls each page costs.
 */
import { CATALOG } from '../../shared/operations/catalog.js';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { makeDocumentClient, makeDynamoClient } from '../../shared/store/clients.js';
import { createTableInput } from '../../shared/store/table.js';
import { RunStore, toRunItem } from '../../shared/store/run-store.js';
import { RunService } from '../../shared/runs/service.js';
import { OPERATION_TYPES } from '../../shared/operations/catalog.js';
import { countCalls, fmt, median, timeEach } from './harness.js';

async function seedRuns(doc: ReturnType<typeof makeDocumentClient>, table: string, tenantId: string, n: number) {
  const service = new RunService({ catalog: CATALOG, store: new RunStore(doc, table), queue: { send: async () => undefined } });
  const t0 = Date.now() - n * 1000;
  const items = (i: number) => {
    const now = new Date(t0 + i * 1000);
    const run = service.newRun({ tenantId, type: OPERATION_TYPES[i % 3], input: {}, initiator: i % 5 === 0 ? { userId: null, name: 'Scheduler' } : { userId: `user${i % 7}`, name: 'U' }, surface: i % 5 === 0 ? 'schedule' : 'api', runId: ulid(now.getTime()) }, now);
    const done = i % 10 !== 0;
    return toRunItem({ ...run, status: done ? 'completed' : 'queued', outcome: done ? (i % 4 === 0 ? 'failed' : 'succeeded') : 'pending', completedAt: done ? now.toISOString() : null });
  };
  let next = 0;
  const lane = async () => {
    while (next < n) {
      const start = next;
      next += 25;
      const batch = Array.from({ length: Math.min(25, n - start) }, (_, k) => ({ PutRequest: { Item: items(start + k) } }));
      let req: Record<string, any> | undefined = { [table]: batch };
      while (req && Object.keys(req).length) {
        const out: { UnprocessedItems?: Record<string, any> } = await doc.send(new BatchWriteCommand({ RequestItems: req }));
        req = out.UnprocessedItems && Object.keys(out.UnprocessedItems).length ? out.UnprocessedItems : undefined;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, lane));
}

export async function listBench(svc: { dynamoEndpoint: string }, sizes = [1_000, Number(process.env.BENCH_LIST_LARGE ?? 100_000)]) {
  const dynamo = makeDynamoClient(svc.dynamoEndpoint);
  const doc = makeDocumentClient(dynamo);
  const table = `bench-list-${Date.now()}`;
  await dynamo.send(new CreateTableCommand(createTableInput(table)));
  const store = new RunStore(doc, table);
  const calls = countCalls(dynamo);
  const results: Record<number, { first: number; filtered: number; deep: number; callsPerPage: number; scans: number }> = {};
  console.log(`\n## Monitoring list (limit 25)`);
  for (const n of sizes) {
    const tenantId = `t${n}`;
    const t = performance.now();
    await seedRuns(doc, table, tenantId, n);
    const seedSeconds = (performance.now() - t) / 1000;
    const mid = await store.listRuns(tenantId, {}, 25);
    // a cursor from deep in the list: page 2 onwards costs the same as page 1
    let deepCursor = mid.nextCursor!;
    for (let i = 0; i < 3; i++) deepCursor = (await store.listRuns(tenantId, {}, 25, deepCursor)).nextCursor!;
    calls.reset();
    const first = await timeEach(30, () => store.listRuns(tenantId, {}, 25));
    const filtered = await timeEach(30, () => store.listRuns(tenantId, { outcome: 'failed' }, 25));
    const deep = await timeEach(30, () => store.listRuns(tenantId, {}, 25, deepCursor));
    const by = calls.byName();
    const callsPerPage = calls.total() / 90;
    results[n] = { first: median(first), filtered: median(filtered), deep: median(deep), callsPerPage, scans: by.ScanCommand ?? 0 };
    console.log(`${String(n).padStart(7)} runs (seeded in ${fmt(seedSeconds, 1)} s): first page ${fmt(median(first))} ms, filtered (outcome=failed) ${fmt(median(filtered))} ms, deep page ${fmt(median(deep))} ms; SDK calls per page ${fmt(callsPerPage)} ${JSON.stringify(by)}`);
  }
  const [small, large] = sizes;
  const ratio = results[large].first / results[small].first;
  const ratioFiltered = results[large].filtered / results[small].filtered;
  console.log(`ratio ${large}/${small}: first page ${fmt(ratio)}, filtered ${fmt(ratioFiltered)} (target ≈ 1 — no scan)`);
  return { results, ratio, ratioFiltered };
}
