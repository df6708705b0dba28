/**
 * Bundles every deployed function (shared/wiring.ts via infra/constructs/deployed-functions.ts)
 * with esbuild exactly as the CDK's NodejsFunction does (options from
 * infra/constructs/bundling-options.ts) and reports the sizes: what a cold start has to load.
 *
 *   node --import tsx scripts/bundle-sizes.ts [--json]
 *
 * `measureBundleSizes()` is exported for `npm run bench`.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import * as options from '../infra/constructs/bundling-options.js';
import { deployedFunctions } from '../infra/constructs/deployed-functions.js';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface BundleSize {
  entry: string;
  /** the minified handler (index.mjs) in bytes; null when the entry does not exist yet */
  bytes: number | null;
  /** its source map in bytes (deployed too, read only when a stack trace is mapped) */
  mapBytes: number | null;
  /** the largest inputs by bytes in the bundle, to see what to trim */
  topInputs: { path: string; bytes: number }[];
  /** the split modules beside index.mjs (imported on first use, not at cold start), in bytes */
  splits: { file: string; bytes: number }[];
}

export async function measureBundleSizes(root = PROJECT_ROOT): Promise<BundleSize[]> {
  const results: BundleSize[] = [];
  // One at a time: the machine is shared, and sizes do not need parallelism.
  for (const f of deployedFunctions()) {
    const entry = join(root, f.entry);
    if (!existsSync(entry)) {
      results.push({ entry: f.entry, bytes: null, mapBytes: null, topInputs: [], splits: [] });
      continue;
    }
    const [out, ...splits] = await Promise.all(options.functionBuilds(root, f, join(root, '.local', 'bundle-sizes', f.id), { sourcemap: true }).map((o) => build(o)));
    const js = out.outputFiles.find((o) => o.path.endsWith(options.OUTPUT_EXTENSION))!;
    const map = out.outputFiles.find((o) => o.path.endsWith('.map'));
    const inputs = Object.values(out.metafile.outputs).find((o) => o.entryPoint)?.inputs ?? {};
    const byPackage = new Map<string, number>();
    for (const [path, { bytesInOutput }] of Object.entries(inputs)) {
      const pkg = path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? path.split('/').slice(0, 2).join('/');
      byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytesInOutput);
    }
    results.push({
      entry: f.entry,
      bytes: js.contents.byteLength,
      mapBytes: map?.contents.byteLength ?? null,
      topInputs: [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([path, bytes]) => ({ path, bytes })),
      splits: splits.map((s) => s.outputFiles.find((o) => o.path.endsWith(options.OUTPUT_EXTENSION))!).map((o) => ({ file: basename(o.path), bytes: o.contents.byteLength })),
    });
  }
  return results;
}

const kib = (n: number | null) => (n === null ? 'missing' : `${(n / 1024).toFixed(1)} KiB`);

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const sizes = await measureBundleSizes();
  if (process.argv.includes('--json')) console.log(JSON.stringify(sizes, null, 2));
  else {
    for (const s of sizes) {
      const top = s.topInputs.map((t) => `${t.path} ${kib(t.bytes)}`).join(', ');
      const splits = s.splits.map((x) => `, +${kib(x.bytes)} on first use (${x.file})`).join('');
      console.log(`${s.entry.padEnd(48)} ${kib(s.bytes).padStart(10)}   ${top}${splits}`);
    }
  }
}
