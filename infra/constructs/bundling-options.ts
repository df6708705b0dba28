/**
 * How every Lambda is bundled, as plain data: the CDK's NodejsFunction and
 * scripts/bundle-sizes.ts (esbuild API) both read it, so measured sizes are the deployed sizes.
 */

/** The Lambda runtime's Node major; esbuild targets the same so no syntax is down-levelled needlessly. */
export const NODE_TARGET = 'node22';

/**
 * ESM output: the sources are ESM (`"type": "module"`, `.js` specifiers) and may use top-level
 * await. Some bundled CommonJS dependencies still call `require` for Node built-ins, which an ESM
 * bundle lacks, so the banner recreates it.
 */
export const ESM_REQUIRE_BANNER = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/**
 * Nothing is external: the AWS SDK v3 is bundled too, so a deployed function runs the exact SDK
 * versions the tests ran (package.json pins them), not whatever the Lambda runtime ships.
 */
export const EXTERNAL_MODULES: string[] = [];

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
export const OUTPUT_EXTENSION = '.mjs';
