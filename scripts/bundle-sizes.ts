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
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as options from '../infra/constructs/bundling-options.js';
import { buildFunction, byPackage, inputsOf } from '../infra/constructs/built-function.js';
import { deployedFunctions } from '../infra/constructs/deployed-functions.js';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface BundleSize {
  entry: string;
  /** what a cold start reads: the minified handler (index.mjs) and the chunks it imports statically, in bytes; null when the entry does not exist yet */
  bytes: number | null;
  /** its source map in bytes (deployed too, read only when a stack trace is mapped) */
  mapBytes: number | null;
  /** the largest inputs by bytes in the bundle, to see what to trim */
  topInputs: { path: string; bytes: number }[];
  /** the chunks beside index.mjs imported on first use, not at cold start (bundling-options.ts SPLITTING_ACCESS), in bytes */
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
    const built = await buildFunction(root, f, join(root, '.local', 'bundle-sizes', f.id), { sourcemap: true });
    const maps = built.outputFiles.filter((o) => o.path.endsWith('.map'));
    results.push({
      entry: f.entry,
      bytes: built.coldBytes,
      mapBytes: maps.length ? maps.reduce((n, o) => n + o.contents.byteLength, 0) : null,
      topInputs: byPackage(inputsOf([built.main, ...built.eager])).slice(0, 3).map(([path, bytes]) => ({ path, bytes })),
      splits: built.lazy.map((c) => ({ file: c.file, bytes: c.bytes })),
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
