// `npm start`, `npm run bench`, `npm run load`: ONE node process that installs dependencies when
// they are missing (scripts/ensure-deps.mjs), then loads TypeScript with tsx's API and imports the
// entry in-process:   exec node scripts/launch.mjs <entry.ts> [args…]
//
// Why one process: npm forwards SIGINT/SIGTERM only to the child it spawned (the `sh -c` running the
// script; @npmcli/run-script's signal-manager). With `a && b` that child is a shell which dies on the
// signal and leaves node — and the DynamoDB Local it started — running. The script says `exec`, so
// the shell is replaced by this process and npm's signal reaches the entry, whose handlers stop
// everything it started (infra/local/shutdown.ts). Debian's dash does not exec a lone command by
// itself (checked here: a `sh -c 'node …'` child's parent is `sh`).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import './ensure-deps.mjs';

const entry = process.argv[2];
if (!entry) {
  console.error('usage: node scripts/launch.mjs <entry.ts> [args…]');
  process.exit(2);
}
// What `node --import tsx` registers: the ESM loader and the CommonJS require hook.
const { register: registerEsm } = await import('tsx/esm/api');
const { register: registerCjs } = await import('tsx/cjs/api');
registerEsm();
registerCjs();
// The entry sees itself as argv[1], as it would when run as `node --import tsx <entry>`.
const file = resolve(entry);
process.argv.splice(1, 2, file);
await import(pathToFileURL(file).href);
