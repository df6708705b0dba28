/**
 * Imported FIRST by main.ts (and `npm run load`), for its side effect: some shared modules read the
 * settings when they load (the logger), and the settings refuse to parse without a cursor key. A
 * user's shell has none, so the entry gives one before any of those modules is imported — a fresh key
 * per start, as runtime.ts does for in-process runtimes (cursors are short-lived; deployed, it is a
 * Secrets Manager secret).
 */
import { randomBytes } from 'node:crypto';

process.env.CURSOR_SECRET ||= randomBytes(32).toString('base64url');
