/**
 * Stop what a local command started (DynamoDB Local's Java process group, fauxqs, servers) when the
 * process gets SIGINT or SIGTERM — the signal npm forwards to `npm start` / `npm run bench` /
 * `npm run load` (scripts/launch.mjs). Without a handler node dies on the signal without running
 * `finally` blocks or `exit` listeners' async work, and the detached Java process outlives it.
 */
const SIGNALS = { SIGINT: 2, SIGTERM: 15 } as const;

export function stopOnSignals(stop: () => Promise<void>, opts: { exitCode?: number; onSignal?: (signal: string) => void } = {}) {
  let stopping = false;
  const handler = (signal: keyof typeof SIGNALS) => {
    if (stopping) return;
    stopping = true;
    opts.onSignal?.(signal);
    stop()
      .catch((err) => console.error(`stopping after ${signal} failed: ${(err as Error).message}`))
      .finally(() => process.exit(opts.exitCode ?? 128 + SIGNALS[signal]));
  };
  for (const signal of Object.keys(SIGNALS) as Array<keyof typeof SIGNALS>) process.on(signal, handler);
  return () => {
    for (const signal of Object.keys(SIGNALS) as Array<keyof typeof SIGNALS>) process.off(signal, handler);
  };
}

/** Wraps a stop function so a second call (the signal handler and a `finally`) waits for the first. */
export function once(stop: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => (p ??= stop());
}
