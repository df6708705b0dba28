/** Worker bookkeeping (§11): run writes per 1,000 items processed, for an inventory sync of a large tenant. */
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { makeDocumentClient, makeDynamoClient } from '../../shared/store/clients.js';
import { createTableInput } from '../../shared/store/table.js';
import { startGraphSim } from '../../infra/local/graph-sim.js';
import { DirectoryStore } from '../../shared/store/directory-store.js';
import { makeWorkerDeps } from '../../shared/operations/worker-deps.js';
import { msalAppTokens } from '../../shared/graph/msal-tokens.js';
import { processWorkMessage } from '../../shared/operations/worker.js';
import { fmt } from './harness.js';

export async function workerBench(svc: { dynamoEndpoint: string }, items = Number(process.env.BENCH_WORKER_ITEMS ?? 2000)) {
  const dynamo = makeDynamoClient(svc.dynamoEndpoint);
  const doc = makeDocumentClient(dynamo);
  const table = `bench-worker-${Date.now()}`;
  await dynamo.send(new CreateTableCommand(createTableInput(table)));
  const sim = await startGraphSim({ port: 0, latencyMs: 0, tenants: { bigco: { policies: items, groups: 0 } } } as never);
  try {
    await new DirectoryStore(doc, table).putTenant({ id: 'bigco', name: 'Big Co', graph: sim.settingsFor('bigco') });
    const deps = makeWorkerDeps({ doc, table, queue: { send: async () => undefined }, graphOptions: { appTokens: msalAppTokens } });
    deps.logger.setLogLevel('ERROR');
    let writes = 0;
    const save = deps.store.saveTransition.bind(deps.store);
    deps.store.saveTransition = async (prev, next, companions) => {
      await save(prev, next, companions);
      writes++;
    };
    const results: Record<string, { writes: number; processed: number; seconds: number }> = {};
    console.log(`\n## Worker bookkeeping`);
    for (const type of ['inventory.sync', 'policy.sync'] as const) {
      writes = 0;
      const { run } = await deps.service.startRun({ tenantId: 'bigco', type, input: {}, initiator: { userId: 'bench', name: 'Bench' }, surface: 'api' });
      writes = 0; // count only the worker's writes: claim, checkpoints, completion
      const t = performance.now();
      await processWorkMessage({ runId: run.id, tenantId: run.tenantId, type: run.type }, () => 600_000, deps);
      const done = await deps.service.getRun('bigco', run.id);
      const seconds = (performance.now() - t) / 1000;
      results[type] = { writes, processed: done.summaryCounts.processed, seconds };
      console.log(`${type}: ${done.summaryCounts.processed} items, ${writes} run writes → ${fmt((writes / done.summaryCounts.processed) * 1000, 1)} run writes per 1,000 items (target ≤ 10 + claim/complete); ${fmt(done.summaryCounts.processed / seconds, 0)} items/s; outcome ${done.outcome}`);
    }
    return results;
  } finally {
    await sim.stop();
  }
}
