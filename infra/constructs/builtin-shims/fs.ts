/**
 * What bundles get for `import … from 'node:fs'` (esbuild alias: bundling-options.ts BUILTIN_SHIMS).
 * Node's ESM facade of `fs` reads every export on the first import, lazy getters included (`fs.promises`
 * among them): 3–4 ms of a cold import on the 2-core VM. The same module, taken from Node's registry
 * without the facade (`process.getBuiltinModule`: Node ≥ 20.16 / 22.3). The named exports are the
 * ones the bundled dependencies import (not `promises`: reading it would load fs/promises); another
 * name fails the build ("No matching export").
 */
import type * as NodeFs from 'node:fs';

const fs = process.getBuiltinModule('node:fs') as typeof NodeFs;
export default fs;
export const {
  ReadStream, createReadStream, existsSync, fstatSync, lstatSync, statSync, readFileSync, writeFileSync, mkdirSync, renameSync, chmodSync,
} = fs;
