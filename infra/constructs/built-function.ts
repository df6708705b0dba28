/**
 * One function's asset as esbuild builds it (bundling-options.ts `functionBuild`), sorted by when
 * Node reads each file: index.mjs and the chunks it imports statically are read and compiled at cold
 * start; the chunks reached only through `import()` on first use. The bundle bench, the bundle budget
 * test and scripts/bundle-sizes.ts all measure through it, so "cold-start bytes" means one thing.
 */
import path from 'node:path';
import { build, type Metafile, type OutputFile } from 'esbuild';
import type { FunctionAccess } from '../../shared/wiring.js';
import { functionBuild, OUTPUT_EXTENSION } from './bundling-options.js';

export interface BuiltFile {
  /** absolute path of the output */
  path: string;
  /** its name in the asset */
  file: string;
  bytes: number;
  /** the inputs that put code into it: input path (relative to the project root) → bytes */
  inputs: Record<string, number>;
  contents: Uint8Array;
}

export interface BuiltFunction {
  /** index.mjs */
  main: BuiltFile;
  /** chunks index.mjs imports statically (read at cold start with it) */
  eager: BuiltFile[];
  /** chunks reached only through import() (read on first use) */
  lazy: BuiltFile[];
  /** bytes a cold start reads and compiles: index.mjs and its eager chunks */
  coldBytes: number;
  /** every output, source maps included, as esbuild wrote them in memory */
  outputFiles: OutputFile[];
  metafile: Metafile;
  /** the external modules any JS output imports, as `<kind> <path>` */
  externals: string[];
}

export async function buildFunction(root: string, fn: { entry: string; access: FunctionAccess }, outdir: string, opts: { sourcemap?: boolean } = {}): Promise<BuiltFunction> {
  const result = await build(functionBuild(root, fn, outdir, opts));
  return sortOutputs(root, fn.entry, result.metafile, result.outputFiles);
}

/** `entry`: the function's entry, relative to `root` (a module reached by import() is an entry point of its own to esbuild). */
export function sortOutputs(root: string, entry: string, metafile: Metafile, outputFiles: OutputFile[]): BuiltFunction {
  const byPath = new Map(outputFiles.map((o) => [o.path, o]));
  const js = Object.entries(metafile.outputs).filter(([key]) => key.endsWith(OUTPUT_EXTENSION));
  const file = (key: string): BuiltFile => {
    const abs = path.resolve(root, key);
    const out = byPath.get(abs);
    if (!out) throw new Error(`esbuild reported ${key} but wrote no such file`);
    const inputs = Object.fromEntries(Object.entries(metafile.outputs[key].inputs).filter(([, i]) => i.bytesInOutput > 0).map(([p, i]) => [p, i.bytesInOutput]));
    return { path: abs, file: path.basename(abs), bytes: out.contents.byteLength, inputs, contents: out.contents };
  };
  const entries = js.filter(([, o]) => o.entryPoint === entry);
  if (entries.length !== 1) throw new Error(`expected one entry output, got ${entries.length}`);
  const mainKey = entries[0][0];
  // The static closure of index.mjs: what Node loads before the handler module has evaluated.
  const eagerKeys = new Set<string>();
  const visit = (key: string) => {
    for (const i of metafile.outputs[key].imports) {
      if (i.external || i.kind !== 'import-statement' || eagerKeys.has(i.path)) continue;
      eagerKeys.add(i.path);
      visit(i.path);
    }
  };
  visit(mainKey);
  const main = file(mainKey);
  const eager = [...eagerKeys].map(file);
  const lazy = js.map(([key]) => key).filter((key) => key !== mainKey && !eagerKeys.has(key)).map(file);
  return {
    main, eager, lazy,
    coldBytes: main.bytes + eager.reduce((n, f) => n + f.bytes, 0),
    outputFiles, metafile,
    externals: [...new Set(js.flatMap(([, o]) => o.imports.filter((i) => i.external).map((i) => `${i.kind} ${i.path}`)))],
  };
}

/** Input path → bytes, over a set of files (e.g. what a cold start reads). */
export const inputsOf = (files: BuiltFile[]): Record<string, number> => {
  const all: Record<string, number> = {};
  for (const f of files) for (const [p, n] of Object.entries(f.inputs)) all[p] = (all[p] ?? 0) + n;
  return all;
};

/** Bytes by package (`@aws-sdk/client-sqs`, `zod`, or `shared/store` for our own code), largest first. */
export function byPackage(inputs: Record<string, number>): [string, number][] {
  const m = new Map<string, number>();
  for (const [p, n] of Object.entries(inputs)) {
    const pkg = p.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? p.split('/').slice(0, 2).join('/');
    m.set(pkg, (m.get(pkg) ?? 0) + n);
  }
  return [...m].sort((a, b) => b[1] - a[1]);
}
