/**
 * Imported first by run.ts (ESM evaluates imports in order): the bench's environment before any
 * module reads its settings — a fresh cursor key per run, as the local runtime gives itself
 * (settings refuse a process with neither a key nor its ARN), and no metrics output.
 */
import { randomBytes } from 'node:crypto';

process.env.CURSOR_SECRET ||= randomBytes(32).toString('base64url');
process.env.METRICS_DISABLED ??= '1';
