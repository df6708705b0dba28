/**
 * The two MSAL exports the token source uses, as one module that msal-tokens.ts imports on first
 * use (`import('./msal-app.js')`): loading the package itself dynamically would keep every MSAL
 * export in the bundle; through this module esbuild still drops the unused ones. Deployed, it is
 * a chunk of its own in the worker's asset (`msal-app-<hash>.mjs`: bundling-options.ts: every function is built with code splitting).
 */
export { ConfidentialClientApplication, LogLevel } from '@azure/msal-node';
