/**
 * `npm run build:console`: writes the console as a static site to console/dist (or `--out DIR`),
 * configured for the API at CONSOLE_API_URL and, when set, OIDC_ISSUER + OIDC_CLIENT_ID.
 */
import path from 'node:path';
import { writeConsole } from './serve.js';

const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const out = path.resolve(outIndex >= 0 ? args[outIndex + 1] : path.join(path.dirname(new URL(import.meta.url).pathname), 'dist'));
const apiUrl = process.env.CONSOLE_API_URL;
if (!apiUrl) {
  console.error('Set CONSOLE_API_URL to the HTTP API URL (the stack output ApiUrl), e.g. CONSOLE_API_URL=https://abc.execute-api.eu-west-1.amazonaws.com');
  process.exit(1);
}
const issuer = process.env.OIDC_ISSUER;
const clientId = process.env.OIDC_CLIENT_ID;
const files = await writeConsole(out, {
  apiUrl,
  oidc: issuer && clientId ? { issuer, clientId, scope: process.env.OIDC_SCOPE } : undefined,
  extraConnectSrc: process.env.OIDC_EXTRA_ORIGINS?.split(',').filter(Boolean),
});
console.log(files.map((f) => path.relative(process.cwd(), f)).join('\n'));
