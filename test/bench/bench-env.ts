/**
 * Imported first by run.ts (ESM evaluates imports in order): the bench's environment before any
 * module reads its settings — a fresh cursor key per run, as the local runtime gives itself
 * (settings refuse a process with neither a key nor its ARN). Metrics and info logs off: the bench
 * prints figures, and Lambda writes both to stdout asynchronously of the answer anyway.
 */
import { randomBytes } from 'node:crypto';

process.env.CURSOR_SECRET ||= randomBytes(32).toString('base64url');
process.env.METRICS_DISABLED ??= '1';
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
