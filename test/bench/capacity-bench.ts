/**
 * Write units of a run's writes (§11, issue 16 item 3): every DynamoDB call is sent with
 * ReturnConsumedCapacity INDEXES and the units DynamoDB Local reports are summed per write, for the
 * table and each index. Runs of two sizes: a small input, and a large one (48 KB of input plus 50
 * stored failures — the shape that made every checkpoint cost 7–8× before the indexes projected only
 * the summary).
 *
 * Uses only APIs that existed before the index change (RunService, claimRun, apply, createTableInput),
 * so the same file measures the previous commit: see BENCHMARKS.md.
 */
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { makeDocumentClient, makeDynamoClient } from '../../shared/store/clients.js';
import { createTableInput } from '../../shared/store/table.js';
import { RunStore } from '../../shared/store/run-store.js';
import { RunService, claimRun } from '../../shared/runs/service.js';
import { CATALOG } from '../../shared/operations/catalog.js';
import { fmt } from './harness.js';

interface Units {
  /** read units of the reads the write needed (the service re-reads the run before a transition) */
  reads: number;
  table: number;
  indexes: Record<string, number>;
  total: number;
}

/** Sums ConsumedCapacity of every call made while `fn` runs. */
function capacityMeter(client: { middlewareStack: { add: (...a: any[]) => void } }) {
  let current: Units | null = null;
  client.middlewareStack.add(
    (next: (a: any) => Promise<any>, context: { commandName?: string }) => async (args: any) => {
      if (args.input && typeof args.input === 'object') args.input.ReturnConsumedCapacity = 'INDEXES';
      const out = await next(args);
      const cc = out.output?.ConsumedCapacity;
      const isWrite = /^(TransactWriteItems|PutItem|UpdateItem|DeleteItem|BatchWriteItem)Command$/.test(context.commandName ?? '');
      if (current && cc && !isWrite) {
        for (const c of Array.isArray(cc) ? cc : [cc]) current.reads += c.CapacityUnits ?? 0;
      } else if (current && cc) {
        for (const c of Array.isArray(cc) ? cc : [cc]) {
          current.total += c.CapacityUnits ?? 0;
          current.table += c.Table?.CapacityUnits ?? 0;
          for (const [name, v] of Object.entries((c.GlobalSecondaryIndexes ?? {}) as Record<string, { CapacityUnits?: number }>)) {
            current.indexes[name] = (current.indexes[name] ?? 0) + (v.CapacityUnits ?? 0);
          }
        }
      }
      return out;
    },
    { step: 'initialize', name: 'capacity-meter' },
  );
  return async (fn: () => Promise<unknown>): Promise<Units> => {
    current = { reads: 0, table: 0, indexes: {}, total: 0 };
    try {
      await fn();
      return current;
    } finally {
      current = null;
    }
  };
}

export async function capacityBench(svc: { dynamoEndpoint: string }) {
  const dynamo = makeDynamoClient(svc.dynamoEndpoint);
  const doc = makeDocumentClient(dynamo);
  const table = `bench-capacity-${Date.now()}`;
  await dynamo.send(new CreateTableCommand(createTableInput(table)));
  const measure = capacityMeter(dynamo);
  const store = new RunStore(doc, table);
  const service = new RunService({ catalog: CATALOG, store, queue: { send: async () => undefined } });
  const shapes = {
    small: { input: { categories: ['deviceConfigurations'] }, failures: 0 },
    large: { input: { categories: ['deviceConfigurations'], note: 'x'.repeat(48 * 1024) }, failures: 50 },
  };
  const results: Record<string, Record<string, Units>> = {};
  console.log(`\n## Write units per run write — \`BENCH_ONLY=capacity npm run bench\``);
  console.log(`(ReturnConsumedCapacity INDEXES as reported by DynamoDB Local; indexes listed are those the write touched)\n`);
  console.log('| run | write | write units | table | indexes | read units (re-read) |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const [shape, s] of Object.entries(shapes)) {
    const tenantId = `cap-${shape}-${Date.now()}`;
    let runId = '';
    const start = await measure(async () => {
      const { run } = await service.startRun({ tenantId, type: 'inventory.sync', input: s.input as never, initiator: { userId: 'bench', name: 'Bench' }, surface: 'api' });
      runId = run.id;
    });
    const claim = await measure(() => claimRun(service, tenantId, runId, 60_000));
    const failures = Array.from({ length: s.failures }, (_, i) => ({ code: 'graph_error', message: `item ${i} could not be read: the service answered 503 after 3 attempts`, itemId: `policy-${i}` }));
    const counts = { total: 1000, processed: 100, succeeded: 100 - s.failures, failed: s.failures, skipped: 0 };
    const checkpoint = await measure(() => service.apply(tenantId, runId, { type: 'checkpoint', leaseMs: 60_000, counts, cursor: { page: 'x'.repeat(200) }, newFailures: failures } as never));
    const complete = await measure(() => service.apply(tenantId, runId, { type: 'complete', outcome: s.failures ? 'partially_succeeded' : 'succeeded' } as never));
    results[shape] = { start, claim, checkpoint, complete };
    for (const [write, u] of Object.entries(results[shape])) {
      const idx = Object.entries(u.indexes).map(([k, v]) => `${k} ${fmt(v, 1)}`).join(', ') || '—';
      console.log(`| ${shape} | ${write} | **${fmt(u.total, 1)}** | ${fmt(u.table, 1)} | ${idx} | ${fmt(u.reads, 1)} |`);
    }
  }
  const reported = Object.values(results).some((r) => Object.values(r).some((u) => Object.keys(u.indexes).length > 0));
  if (!reported) console.log('\nDynamoDB Local reported no per-index units: see docs/COST.md for the units computed from the documented rule.');
  return results;
}
