/**
 * Graph requests per 1,000 policies synced (issue 13 §9): one policy.sync of a tenant with `policies`
 * policies across all six categories, once reading each policy with its own request(s) (batching
 * off: GRAPH_BATCHING=0's path) and once through $batch — same data, same code, one switch. Counted
 * at the simulated Graph: HTTP round trips (a $batch envelope is one), requests as Intune's
 * per-tenant limit counts them (each sub-request is one), token requests. The simulator's limit is
 * off here so neither run waits out a Retry-After; its latency per round trip is `latencyMs`.
 */
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { makeDocumentClient, makeDynamoClient } from '../../shared/store/clients.js';
import { createTableInput } from '../../shared/store/table.js';
import { startGraphSim } from '../../infra/local/graph-sim.js';
import { DirectoryStore } from '../../shared/store/directory-store.js';
import { makeWorkerDeps } from '../../shared/operations/worker-deps.js';
import { msalAppTokens } from '../../shared/graph/msal-tokens.js';
import { processWorkMessage } from '../../shared/operations/worker.js';
import { fmt } from './harness.js';

export async function graphBench(svc: { dynamoEndpoint: string }, policies = Number(process.env.BENCH_GRAPH_POLICIES ?? 1000), latencyMs = Number(process.env.BENCH_GRAPH_LATENCY_MS ?? 5)) {
  const dynamo = makeDynamoClient(svc.dynamoEndpoint);
  const doc = makeDocumentClient(dynamo);
  console.log(`\n## Graph requests per 1,000 policies synced (policy.sync, ${policies} policies, ${latencyMs} ms per simulated round trip)`);
  const results: Record<string, { roundTrips: number; limitCounted: number; tokens: number; processed: number; seconds: number }> = {};
  for (const batching of [false, true]) {
    const table = `bench-graph-${batching ? 'batch' : 'single'}-${Date.now()}`;
    await dynamo.send(new CreateTableCommand(createTableInput(table)));
    const sim = await startGraphSim({ port: 0, latencyMs, tenantLimit: null, tenants: { bigco: { policies, groups: 5 } } });
    try {
      await new DirectoryStore(doc, table).putTenant({ id: 'bigco', name: 'Big Co', graph: sim.settingsFor('bigco') });
      const deps = makeWorkerDeps({ doc, table, queue: { send: async () => undefined }, graphOptions: { appTokens: msalAppTokens, batching } });
      deps.logger.setLogLevel('ERROR');
      const { run } = await deps.service.startRun({ tenantId: 'bigco', type: 'policy.sync', input: {}, initiator: { userId: 'bench', name: 'Bench' }, surface: 'api' });
      sim.requests.length = 0;
      const t = performance.now();
      await processWorkMessage({ runId: run.id, tenantId: run.tenantId, type: run.type }, () => 600_000, deps);
      const seconds = (performance.now() - t) / 1000;
      const done = await deps.service.getRun('bigco', run.id);
      const graph = sim.requests.filter((r) => r.version !== null);
      const roundTrips = graph.filter((r) => !r.inBatch).length;
      const limitCounted = graph.filter((r) => r.path !== '$batch').length;
      const tokens = sim.requests.filter((r) => r.version === null).length;
      const processed = done.summaryCounts.processed;
      results[batching ? 'batched' : 'oneByOne'] = { roundTrips, limitCounted, tokens, processed, seconds };
      const per = (n: number) => fmt((n / processed) * 1000, 0);
      console.log(`${batching ? 'after  ($batch)   ' : 'before (one by one)'}: ${processed} policies, outcome ${done.outcome}; ${per(roundTrips)} Graph round trips per 1,000 policies; ${per(limitCounted)} requests against Intune's per-tenant limit per 1,000; ${tokens} token request(s); ${fmt(seconds, 1)} s`);
    } finally {
      await sim.stop();
    }
  }
  const { oneByOne, batched } = results;
  if (oneByOne && batched) console.log(`round trips: ${fmt(oneByOne.roundTrips / batched.roundTrips, 1)}× fewer with $batch; requests counted by the per-tenant limit: unchanged (${oneByOne.limitCounted} vs ${batched.limitCounted}) — Graph evaluates each sub-request individually`);
  return results;
}
