/**
 * Same-run before/after of bundle size and cold import: bundles a few functions from another checkout
 * (e.g. `git worktree add .local/base <commit> && ln -s $PWD/node_modules .local/base/`) and from this
 * one, then imports them alternately in fresh node processes so machine load hits both alike.
 *   node --import tsx scripts/bundle-ab.ts .local/base      (AB_RUNS=7; AB_ENTRIES=functions/api/get-me.ts,… for others)
 * Prints the median wall time and the median CPU time of the import (process.cpuUsage, all threads).
 */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
const entries = process.env.AB_ENTRIES?.split(',') ?? ['functions/api/health.ts', 'functions/api/list-runs.ts', 'functions/api/start-run.ts', 'functions/workers/run-worker.ts'];
const roots = { before: path.resolve(process.argv[2] ?? '.local/base'), after: process.cwd() };
const files: Record<string, Record<string, { file: string; kib: number }>> = {};
for (const [label, root] of Object.entries(roots)) {
  const options = await import(path.join(root, 'infra/constructs/bundling-options.ts'));
  files[label] = {};
  for (const e of entries) {
    const outfile = path.join(process.cwd(), '.local/bundle-ab', label, path.basename(e, '.ts'), 'index.mjs');
    // Each checkout's own esbuild options (aliases included) where it has them, as the CDK bundles it.
    const out = await build(options.esbuildOptions
      ? options.esbuildOptions(root, path.join(root, e), outfile)
      : { entryPoints: [path.join(root, e)], absWorkingDir: root, bundle: true, write: false, outfile, platform: 'node', format: 'esm', target: options.NODE_TARGET, minify: true, mainFields: options.MAIN_FIELDS, external: options.EXTERNAL_MODULES, banner: { js: options.ESM_REQUIRE_BANNER }, logLevel: 'silent' });
    const js = out.outputFiles![0]; mkdirSync(path.dirname(js.path), { recursive: true }); writeFileSync(js.path, js.contents);
    files[label][e] = { file: js.path, kib: js.contents.byteLength / 1024 };
  }
}
// Wall time, and the process's CPU time over the import (all its threads): the second is far less
// moved by other processes' load on a shared machine.
const script = (f: string) => `const c=process.cpuUsage(), t=performance.now(); await import(${JSON.stringify(f)}); const w=performance.now()-t, u=process.cpuUsage(c); console.log(w, (u.user+u.system)/1000)`;
const env = { ...process.env, AWS_REGION: 'us-east-1', TABLE_NAME: 'x', CURSOR_SECRET: process.env.CURSOR_SECRET ?? 'bench', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const RUNS = Number(process.env.AB_RUNS ?? 7);
for (const e of entries) {
  const t: Record<string, number[]> = { before: [], after: [] };
  const cpu: Record<string, number[]> = { before: [], after: [] };
  for (let i = 0; i < RUNS; i++) for (const label of ['before', 'after']) {
    const [wall, cpuMs] = String(execFileSync(process.execPath, ['--input-type=module', '-e', script(files[label][e].file)], { env })).trim().split('\n').pop()!.split(' ').map(Number);
    t[label].push(wall); cpu[label].push(cpuMs);
  }
  console.log(`${e.padEnd(34)} before ${files.before[e].kib.toFixed(1).padStart(7)} KiB ${med(t.before).toFixed(0).padStart(4)} ms (cpu ${med(cpu.before).toFixed(0).padStart(3)})   after ${files.after[e].kib.toFixed(1).padStart(7)} KiB ${med(t.after).toFixed(0).padStart(4)} ms (cpu ${med(cpu.after).toFixed(0).padStart(3)})   import ratio ${(med(t.after) / med(t.before)).toFixed(2)}, cpu ${(med(cpu.after) / med(cpu.before)).toFixed(2)}`);
}
