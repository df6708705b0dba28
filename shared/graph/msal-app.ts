/**
 * The two MSAL exports the token source uses, as one module that msal-tokens.ts imports on first
 * use (`import('./msal-app.js')`): loading the package itself dynamically would keep every MSAL
 * export in the worker's bundle; through this module esbuild still drops the unused ones.
 */
export { ConfidentialClientApplication, LogLevel } from '@azure/msal-node';
