/**
 * `npm run bench`: prints the §11 figures measured here, on DynamoDB Local and fauxqs. Not a test —
 * figures and ratios to read, copied into BENCHMARKS.md. `BENCH_ONLY=start,list,…` runs a subset.
 */
import './bench-env.js'; // first: the environment the settings read
import os from 'node:os';
import { startBenchServices } from './harness.js';
import { startBench } from './start-bench.js';
import { httpStartBench } from './http-start-bench.js';
import { listBench } from './list-bench.js';
import { workerBench } from './worker-bench.js';
import { graphBench } from './graph-bench.js';
import { idempotencyBench } from './idempotency-bench.js';
import { bundleBench } from './bundle-bench.js';
import { sanitizeBench } from './sanitize-bench.js';
import { once, stopOnSignals } from '../../infra/local/shutdown.js';
import { capacityBench } from './capacity-bench.js';
import { costBench } from './cost-bench.js';

const only = process.env.BENCH_ONLY?.split(',');
const wanted = (name: string) => !only || only.includes(name);

const svc = await startBenchServices();
// npm forwards SIGINT/SIGTERM to this process (scripts/launch.mjs): stop DynamoDB Local and fauxqs.
const stop = once(() => svc.stop());
stopOnSignals(stop, { onSignal: (s) => console.error(`\n${s}: stopping the bench services…`) });
try {
  console.log(`# Operation Runs benchmarks — ${new Date().toISOString()} — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`);
  if (wanted('start')) await startBench(svc, Number(process.env.BENCH_STARTS ?? 200));
  if (wanted('start') || wanted('httpstart')) {
    // Issue 18 item 3: both dispatch modes, one after the other on the same services.
    const direct = await httpStartBench(svc, Number(process.env.BENCH_STARTS ?? 200), 'direct');
    const outbox = await httpStartBench(svc, Number(process.env.BENCH_STARTS ?? 200), 'outbox');
    console.log('\n### Dispatch modes compared (outbox / direct)');
    for (const name of Object.keys(direct.figures)) {
      const [d, o] = [direct.figures[name], outbox.figures[name]];
      console.log(`${name.padEnd(40)} start: direct ${d.medianMs.toFixed(2)} ms (${d.ratio.toFixed(2)} × PutItem), outbox ${o.medianMs.toFixed(2)} ms (${o.ratio.toFixed(2)} × PutItem) → outbox/direct ${(o.medianMs / d.medianMs).toFixed(2)}`);
    }
    const [dw, ow] = [direct.queueWait, outbox.queueWait];
    console.log(`${'queue wait (answer → received)'.padEnd(40)} direct ${dw.medianMs.toFixed(2)} ms (${dw.ratio.toFixed(2)} × PutItem), outbox ${ow.medianMs.toFixed(2)} ms (${ow.ratio.toFixed(2)} × PutItem) → outbox/direct ${(ow.medianMs / dw.medianMs).toFixed(2)}`);
  }
  if (wanted('idempotency')) await idempotencyBench(svc);
  if (wanted('worker')) await workerBench(svc);
  if (wanted('graph')) await graphBench(svc);
  if (wanted('bundles')) await bundleBench();
  if (wanted('list')) await listBench(svc);
  if (wanted('sanitize')) await sanitizeBench();
  if (wanted('capacity') && !wanted('cost')) await capacityBench(svc);
  if (wanted('cost')) await costBench(svc);
} finally {
  await stop();
}
