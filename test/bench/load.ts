/**
 * `npm run load`: 1,000 concurrent starts over 50 active run keys against the local runtime's HTTP
 * API → exactly 50 runs. Prints throughput and start latency p50 / p99. Loopback only; bounded.
 */
import '../../infra/local/early-env.js'; // first: the cursor key the settings need (as npm start)
import { startLocalRuntime } from '../../infra/local/runtime.js';
import { signLocalToken } from '../../infra/local/jwt.js';
import { fmt, percentile } from './harness.js';
import { once, stopOnSignals } from '../../infra/local/shutdown.js';

const STARTS = Number(process.env.LOAD_STARTS ?? 1000);
const KEYS = Number(process.env.LOAD_KEYS ?? 50);
const CONCURRENCY = Number(process.env.LOAD_CONCURRENCY ?? 100);

const runtime = await startLocalRuntime({ port: 0, dynamoPort: undefined, inMemory: true, stateDir: '.local/load', background: false, tableName: `load-${Date.now()}` });
// npm forwards SIGINT/SIGTERM to this process (scripts/launch.mjs): stop the runtime and its Java.
const stop = once(() => runtime.stop());
stopOnSignals(stop, { onSignal: (s) => console.error(`\n${s}: stopping the local runtime…`) });
console.log(`# Load: local runtime up at ${runtime.url}`);
try {
  const token = await signLocalToken({ id: 'alice', name: 'Alice Admin' });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const latencies: number[] = [];
  const runIds = new Set<string>();
  const statuses = new Map<number, number>();
  let next = 0;
  const t0 = performance.now();
  const lane = async () => {
    while (next < STARTS) {
      const i = next++;
      const body = JSON.stringify({ type: 'policy.sync', input: { policyIds: [`00000000-0000-4000-a000-${String(i % KEYS).padStart(12, '0')}`] } });
      const t = performance.now();
      const res = await fetch(`${runtime.url}/tenants/contoso/runs`, { method: 'POST', headers, body });
      const json = (await res.json()) as { run?: { id: string } };
      latencies.push(performance.now() - t);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (json.run) runIds.add(json.run.id);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  const seconds = (performance.now() - t0) / 1000;
  const list = await fetch(`${runtime.url}/tenants/contoso/runs?limit=100&type=policy.sync`, { headers });
  const stored = ((await list.json()) as { items: unknown[] }).items.length;
  console.log(`# Load: ${STARTS} starts over ${KEYS} active run keys, ${CONCURRENCY} in flight`);
  console.log(`answers: ${JSON.stringify(Object.fromEntries(statuses))}`);
  console.log(`distinct run ids returned: ${runIds.size}; runs stored: ${stored} (expected ${KEYS}) → ${runIds.size === KEYS && stored === KEYS ? 'OK' : 'MISMATCH'}`);
  console.log(`throughput ${fmt(STARTS / seconds, 1)} starts/s; latency p50 ${fmt(percentile(latencies, 50))} ms, p99 ${fmt(percentile(latencies, 99))} ms`);
  if (runIds.size !== KEYS || stored !== KEYS) process.exitCode = 1;
} finally {
  await stop();
}
