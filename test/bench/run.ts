/**
 * `npm run bench`: prints the §11 figures measured here, on DynamoDB Local and fauxqs. Not a test —
 * figures and ratios to read, copied into BENCHMARKS.md.
 */
import os from 'node:os';
import { startBenchServices } from './harness.js';
import { startBench } from './start-bench.js';

const svc = await startBenchServices();
try {
  console.log(`# Operation Runs benchmarks — ${new Date().toISOString()} — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
  await startBench(svc, Number(process.env.BENCH_STARTS ?? 200));
} finally {
  await svc.stop();
}
