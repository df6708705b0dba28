/**
 * Each deployed function's bundle size, the time to import it cold (a fresh node process), and its
 * largest inputs (esbuild metafile). The machine is shared, so each function's import is measured
 * next to a baseline — an empty ESM module imported by the same kind of fresh process, in the same
 * round — and the bench prints the ratio as well as the milliseconds: node's own start-up and the
 * machine's load are in both, the bundle's cost only in the first.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as options from '../../infra/constructs/bundling-options.js';
import { buildFunction, byPackage, inputsOf } from '../../infra/constructs/built-function.js';
import { deployedFunctions } from '../../infra/constructs/deployed-functions.js';
import { fmt, median } from './harness.js';

const run = promisify(execFile);
const RUNS = Number(process.env.BENCH_IMPORT_RUNS ?? 5);

// Async, not execFileSync: a blocked event loop would hold off the SIGINT/SIGTERM handler of `npm run bench`.
async function importOnce(file: string): Promise<number> {
  const script = `const t=performance.now(); await import(${JSON.stringify(file)}); console.log(performance.now()-t)`;
  const { stdout: out } = await run(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, AWS_REGION: 'us-east-1', TABLE_NAME: 'x', CURSOR_SECRET: 'bench', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  return Number(String(out).trim().split('\n').pop());
}

/** Median cold import of `file` and of the baseline, alternated so both see the same load. */
async function importMs(file: string, baseline: string, runs = RUNS): Promise<{ ms: number; baseMs: number }> {
  const xs: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < runs; i++) {
    xs.push(await importOnce(file));
    bs.push(await importOnce(baseline));
  }
  return { ms: median(xs), baseMs: median(bs) };
}

export async function bundleBench(root = process.cwd()) {
  const outDir = path.join(root, '.local', 'bench-bundles');
  const baseline = path.join(outDir, 'baseline', `index${options.OUTPUT_EXTENSION}`);
  mkdirSync(path.dirname(baseline), { recursive: true });
  writeFileSync(baseline, 'export const handler = async () => ({ statusCode: 200 });\n');
  console.log(`\n## Bundles (esbuild, as NodejsFunction bundles them; size = index.mjs and the chunks it imports statically, cold import of index.mjs = median of ${RUNS} fresh node processes, each next to a baseline: an empty module)`);
  const rows: Array<{ entry: string; kib: number; importMs: number; baselineMs: number; ratio: number }> = [];
  for (const f of deployedFunctions()) {
    // index.mjs and the chunks it imports statically (a cold start reads them all); then the chunks
    // it imports on first use (the run worker's: bundling-options.ts SPLITTING_ACCESS).
    const built = await buildFunction(root, f, path.join(outDir, f.id));
    const lazily = built.lazy.map((c) => `, +${fmt(c.bytes / 1024, 1)} KiB on first use (${c.file})`).join('');
    const top = byPackage(inputsOf([built.main, ...built.eager])).slice(0, 4).map(([k, v]) => `${k} ${fmt(v / 1024, 0)}`).join(', ');
    mkdirSync(path.dirname(built.main.path), { recursive: true });
    for (const file of built.outputFiles) writeFileSync(file.path, file.contents);
    const js = built.main;
    const t = await importMs(js.path, baseline);
    const row = { entry: f.entry, kib: built.coldBytes / 1024, importMs: t.ms, baselineMs: t.baseMs, ratio: t.ms / t.baseMs };
    rows.push(row);
    console.log(`${row.entry.padEnd(42)} ${fmt(row.kib, 1).padStart(7)} KiB  cold import ${fmt(row.importMs, 0).padStart(4)} ms  (empty module ${fmt(row.baselineMs, 0).padStart(3)} ms, ×${fmt(row.ratio, 2)})   ${top}${lazily}`);
  }
  const kibs = rows.map((r) => r.kib);
  console.log(`largest ${fmt(Math.max(...kibs), 1)} KiB, smallest ${fmt(Math.min(...kibs), 1)} KiB; median cold import ${fmt(median(rows.map((r) => r.importMs)), 0)} ms, median baseline ${fmt(median(rows.map((r) => r.baselineMs)), 0)} ms, median ratio ×${fmt(median(rows.map((r) => r.ratio)), 2)}`);
  return rows;
}
