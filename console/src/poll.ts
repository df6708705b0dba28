/**
 * Conditional polling: re-fetch a resource with If-None-Match every `intervalMs`; a 304 costs the
 * server one read and us nothing. Stops itself once `done` says so, or when disposed.
 */
import { request } from './api.js';

export const POLL_INTERVAL_MS = 2000;

export function pollWithEtag<T>(path: string, opts: {
  etag: string | null;
  onChange: (value: T) => void;
  done: (value: T) => boolean;
  onError?: (err: unknown) => void;
  intervalMs?: number;
}): () => void {
  let etag = opts.etag;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = async () => {
    if (stopped) return;
    try {
      const answer = await request<T>('GET', path, { etag });
      if (stopped) return;
      if (answer.status === 200 && answer.body) {
        etag = answer.etag;
        opts.onChange(answer.body);
        if (opts.done(answer.body)) { stopped = true; return; }
      }
    } catch (err) {
      opts.onError?.(err);
    }
    if (!stopped) timer = setTimeout(tick, opts.intervalMs ?? POLL_INTERVAL_MS);
  };
  timer = setTimeout(tick, opts.intervalMs ?? POLL_INTERVAL_MS);
  return () => { stopped = true; if (timer) clearTimeout(timer); };
}
