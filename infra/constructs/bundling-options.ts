/**
 * How every Lambda is bundled, as plain data: the CDK's NodejsFunction and the esbuild API users
 * (`functionBuilds` below: scripts/bundle-sizes.ts, the bundle bench, the bundle budget test) all
 * read it, so measured sizes are the deployed sizes (test/infra/split-bundling.test.ts compares the bytes).
 */
import path from 'node:path';
import type { BuildOptions } from 'esbuild';

/** The Lambda runtime's Node major; esbuild targets the same so no syntax is down-levelled needlessly. */
export const NODE_TARGET = 'node22';

/**
 * ESM output: the sources are ESM (`"type": "module"`, `.js` specifiers) and may use top-level
 * await. Some bundled CommonJS dependencies still call `require` for Node built-ins, which an ESM
 * bundle lacks, so the banner recreates it.
 */
export const ESM_REQUIRE_BANNER = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/**
 * The AWS SDK v3 is bundled, so a deployed function runs the exact SDK versions the tests ran
 * (package.json pins them), not whatever the Lambda runtime ships — except the credential providers
 * the default chain loads lazily (`await import(…)` in @aws-sdk/credential-provider-node) and that a
 * Lambda function never reaches: Lambda puts the execution role's credentials in AWS_ACCESS_KEY_ID /
 * AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html,
 * "Defined runtime environment variables"), and the chain's first link, fromEnv, returns them.
 * Should a chain ever get past fromEnv, the import resolves to the runtime's own SDK (the Node.js
 * runtimes include the AWS SDK for JavaScript v3: docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html).
 * About 95 KiB (SSO/STS nested clients, INI, process, web identity, IMDS/HTTP) off every bundle.
 */
export const EXTERNAL_MODULES: string[] = [
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/nested-clients',
  '@aws-sdk/token-providers',
  '@smithy/credential-provider-imds',
  // Loaded lazily too, and never by the clients we use: the event-stream serde only for operations
  // with event streams (HttpProtocol: `await import('@smithy/core/event-streams')`; DynamoDB, SQS,
  // EventBridge and Secrets Manager have none), the browser user-agent parser only in browsers.
  '@smithy/core/event-streams',
  'bowser',
];

/**
 * Built-ins whose ESM import costs more than the module itself: Node builds an ESM facade of a
 * built-in on its first `import`, reading every export — lazy getters included — and for `process`
 * and `fs` that is most of a cold import's built-in time (measured: BENCHMARKS.md, "Cold import,
 * fourth pass"). esbuild aliases them to shims that hand over the same objects without the facade;
 * paths are relative to the project root. Only `import` statements may reach a shim (a `require`
 * would get its namespace object, not the module): the bundle budget test holds every bundle to it.
 */
export const BUILTIN_SHIMS: Record<string, string> = {
  'node:process': 'infra/constructs/builtin-shims/process.ts',
  'node:fs': 'infra/constructs/builtin-shims/fs.ts',
};
/** esbuild matches an alias as a path prefix: `node:fs/promises` would become `…/fs.ts/promises` without this. */
const KEEP = ['node:fs/promises'];

/** esbuild's `alias` for the shims: absolute paths, so esbuild's working directory does not matter. */
export function builtinAliases(root: string): Record<string, string> {
  return { ...Object.fromEntries(Object.entries(BUILTIN_SHIMS).map(([name, shim]) => [name, path.join(root, shim)])), ...Object.fromEntries(KEEP.map((name) => [name, name])) };
}

/** The same aliases as esbuild CLI arguments, for NodejsFunction's `esbuildArgs` (`--alias:node:fs=/…/fs.ts`). */
export function builtinAliasArgs(root: string): Record<string, string[]> {
  return { '--alias': Object.entries(builtinAliases(root)).map(([name, shim]) => `${name}=${shim}`) };
}

/** Prefer the ESM build of dual packages: it tree-shakes far better. */
export const MAIN_FIELDS = ['module', 'main'];

export const MINIFY = true;
export const SOURCE_MAP = true;
/** Source maps keep names and lines for stack traces, not the sources themselves (smaller bundles). */
export const SOURCES_CONTENT = false;
/**
 * Node reads the bundle's source map only when told to: every deployed function runs with this in
 * NODE_OPTIONS, so stack traces in the logs name the TypeScript files and lines, not the minified
 * bundle's. The price: the map is loaded with the bundle at cold start, and formatting a stack
 * trace is slower — the functions format stacks only when they log an error.
 */
export const RUNTIME_NODE_OPTIONS = SOURCE_MAP ? '--enable-source-maps' : '';

/**
 * Code splitting, for every function. What a function loads with `import()` on first use goes into
 * chunk files beside index.mjs, so a cold import neither reads nor compiles it: the run worker's MSAL
 * (first token), SQS client (first continuation) and Secrets Manager client (first secret), an API
 * function's Secrets Manager client (first signed cursor). Code both sides use goes into chunks that
 * index.mjs imports statically (nothing is copied twice). A function with no such import is one file.
 *
 * Without splitting esbuild inlines an `import()` of a bundled module, and the module and everything
 * it reaches are wrapped for lazy evaluation, which keeps more of them than a static import does
 * (measured: +19.5 KiB per API function for the Secrets Manager client behind the cursor key).
 *
 * esbuild splits code only with `outdir` and `splitting` (esbuild.github.io/api/#splitting: "only
 * works with the esm output format"), and NodejsFunction always runs it with `--outfile`. So every
 * asset is written a second time by `commandHooks.afterBundling` (`splitBuildCommands`): the same
 * options, with `outdir` = the asset, `splitting`, `index` as the entry's name, overwriting
 * NodejsFunction's index.mjs and its map. The esbuild API users build it the same way
 * (`functionBuild`), and test/infra/split-bundling.test.ts compares the bytes.
 */
/** The name of every chunk: the module's own name (`msal-app`, or `chunk` for shared code) and a content hash. */
export const CHUNK_NAMES = '[name]-[hash]';

export const OUTPUT_EXTENSION = '.mjs';

/** What every bundle is built with: the main bundle's `externalModules` in NodejsFunction, and the esbuild API users'. */
export const EXTERNALS: string[] = [...EXTERNAL_MODULES];

/**
 * The esbuild API options equal to what NodejsFunction passes its esbuild for `entry` (absolute),
 * writing `outfile`; with a metafile, for the largest-inputs listings.
 */
export function esbuildOptions(root: string, entry: string, outfile: string, opts: { sourcemap?: boolean } = {}): BuildOptions & { metafile: true; write: false } {
  return {
    entryPoints: [entry], absWorkingDir: root, bundle: true, write: false, outfile,
    platform: 'node', format: 'esm', target: NODE_TARGET, minify: MINIFY, mainFields: MAIN_FIELDS,
    external: EXTERNALS, alias: builtinAliases(root), banner: { js: ESM_REQUIRE_BANNER }, metafile: true, logLevel: 'silent',
    ...(opts.sourcemap ? { sourcemap: SOURCE_MAP, sourcesContent: SOURCES_CONTENT } : {}),
  };
}

/** The same options with code splitting: `index.mjs` and its chunks in `outdir`. */
export function splittingOptions(root: string, entry: string, outdir: string, opts: { sourcemap?: boolean } = {}): BuildOptions & { metafile: true; write: false } {
  const { outfile: _, ...rest } = esbuildOptions(root, entry, path.join(outdir, `index${OUTPUT_EXTENSION}`), opts);
  return { ...rest, outdir, splitting: true, entryNames: 'index', chunkNames: CHUNK_NAMES, outExtension: { '.js': OUTPUT_EXTENSION } };
}

/** What esbuild builds for one function's asset in `outdir`: index.mjs and its chunks. */
export function functionBuild(root: string, fn: { entry: string }, outdir: string, opts: { sourcemap?: boolean } = {}) {
  return splittingOptions(root, path.join(root, fn.entry), outdir, opts);
}

/**
 * The shell command that rewrites a function's asset with its chunks: NodejsFunction's
 * `commandHooks.afterBundling(inputDir, outputDir)`, run by bash in the project root after the main
 * bundle. It runs the esbuild NodejsFunction itself runs when bundling locally (`npx --no-install
 * esbuild`, for an npm lock file), with the options of `splittingOptions`, source maps as deployed.
 */
export function splitBuildCommands(inputDir: string, outputDir: string, fn: { entry: string }): string[] {
  const cli = esbuildCliArgs({ ...splittingOptions(inputDir, path.join(inputDir, fn.entry), outputDir, { sourcemap: true }), logLevel: 'warning' });
  return [['npx', '--no-install', 'esbuild', ...cli].map(shellQuote).join(' ')];
}

/**
 * esbuild API options as CLI arguments: the options `esbuildOptions` sets, nothing else (an option
 * without a case here throws, so the two forms cannot drift apart). `absWorkingDir` is the command's
 * working directory, and the CLI always writes and needs no metafile.
 */
export function esbuildCliArgs(o: BuildOptions): string[] {
  const args: string[] = [];
  for (const [key, value] of Object.entries(o)) {
    if (value === undefined) continue;
    switch (key) {
      case 'entryPoints': args.push(...(value as string[])); break;
      case 'bundle': case 'minify': case 'sourcemap': if (value) args.push(`--${key}`); break;
      case 'platform': case 'format': case 'target': case 'outfile': case 'outdir': args.push(`--${key}=${value}`); break;
      case 'splitting': if (value) args.push('--splitting'); break;
      case 'entryNames': args.push(`--entry-names=${value}`); break;
      case 'chunkNames': args.push(`--chunk-names=${value}`); break;
      case 'outExtension': args.push(...Object.entries(value as Record<string, string>).map(([k, v]) => `--out-extension:${k}=${v}`)); break;
      case 'logLevel': args.push(`--log-level=${value}`); break;
      case 'sourcesContent': args.push(`--sources-content=${value}`); break;
      case 'mainFields': args.push(`--main-fields=${(value as string[]).join(',')}`); break;
      case 'external': args.push(...(value as string[]).map((x) => `--external:${x}`)); break;
      case 'alias': args.push(...Object.entries(value as Record<string, string>).map(([k, v]) => `--alias:${k}=${v}`)); break;
      case 'banner': args.push(...Object.entries(value as Record<string, string>).map(([k, v]) => `--banner:${k}=${v}`)); break;
      case 'absWorkingDir': case 'write': case 'metafile': break;
      default: throw new Error(`esbuildCliArgs: no CLI form for the option ${key}`);
    }
  }
  return args;
}

const shellQuote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`);
