/**
 * The two MSAL exports the token source uses, as one module that msal-tokens.ts imports on first
 * use (`import('./msal-app.js')`): loading the package itself dynamically would keep every MSAL
 * export in the bundle; through this module esbuild still drops the unused ones. Deployed, it is
 * bundled into a file of its own in the worker's asset (`msal-app.mjs`: bundling-options.ts SPLIT_MODULES).
 */
export { ConfidentialClientApplication, LogLevel } from '@azure/msal-node';
