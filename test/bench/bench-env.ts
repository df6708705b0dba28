/**
 * The environment the handlers the bench invokes read (shared/settings.ts), set before any of them
 * is imported (run.ts imports this first). Metrics and info logs off: the bench prints figures, and
 * Lambda writes both to stdout asynchronously of the answer anyway.
 */
process.env.CURSOR_SECRET ??= 'bench-cursor-secret';
process.env.METRICS_DISABLED ??= '1';
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
