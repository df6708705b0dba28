/** Each deployed function's bundle size and the time to import its bundle cold (a fresh node process). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import * as options from '../../infra/constructs/bundling-options.js';
import { deployedFunctions } from '../../infra/constructs/deployed-functions.js';
import { fmt, median } from './harness.js';

const run = promisify(execFile);

// Async, not execFileSync: a blocked event loop would hold off the SIGINT/SIGTERM handler of `npm run bench`.
async function importMs(file: string, runs = 3): Promise<number> {
  const script = `const t=performance.now(); await import(${JSON.stringify(file)}); console.log(performance.now()-t)`;
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { stdout: out } = await run(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, AWS_REGION: 'us-east-1', TABLE_NAME: 'x', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
    xs.push(Number(String(out).trim().split('\n').pop()));
  }
  return median(xs);
}

export async function bundleBench(root = process.cwd()) {
  const outDir = path.join(root, '.local', 'bench-bundles');
  console.log(`\n## Bundles (esbuild, as NodejsFunction bundles them; cold import = median of 3 fresh node processes)`);
  const rows: Array<{ entry: string; kib: number; importMs: number }> = [];
  for (const f of deployedFunctions()) {
    const out = await build({
      entryPoints: [path.join(root, f.entry)], absWorkingDir: root, bundle: true, write: false,
      outfile: path.join(outDir, f.id, `index${options.OUTPUT_EXTENSION}`), platform: 'node', format: 'esm',
      target: options.NODE_TARGET, minify: options.MINIFY, mainFields: options.MAIN_FIELDS,
      external: options.EXTERNAL_MODULES, banner: { js: options.ESM_REQUIRE_BANNER }, metafile: true, logLevel: 'silent',
    });
    const js = out.outputFiles[0];
    // The largest inputs by package, to see what to trim.
    const byPackage = new Map<string, number>();
    for (const [p, { bytesInOutput }] of Object.entries(Object.values(out.metafile.outputs)[0].inputs)) {
      const pkg = p.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? 'app';
      byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytesInOutput);
    }
    const top = [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k, v]) => `${k} ${fmt(v / 1024, 0)}`).join(', ');
    mkdirSync(path.dirname(js.path), { recursive: true });
    writeFileSync(js.path, js.contents);
    const row = { entry: f.entry, kib: js.contents.byteLength / 1024, importMs: await importMs(js.path) };
    rows.push(row);
    console.log(`${row.entry.padEnd(42)} ${fmt(row.kib, 1).padStart(7)} KiB  cold import ${fmt(row.importMs, 0).padStart(4)} ms   ${top}`);
  }
  const kibs = rows.map((r) => r.kib);
  console.log(`largest ${fmt(Math.max(...kibs), 1)} KiB, smallest ${fmt(Math.min(...kibs), 1)} KiB; median cold import ${fmt(median(rows.map((r) => r.importMs)), 0)} ms`);
  return rows;
}
