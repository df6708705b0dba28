/**
 * Retries what the bus did not accept — a thrown call (throttling, network) or a partial failure
 * (FailedEntryCount > 0) — with exponential backoff and full jitter, resending only the failed events.
 */
import type { BusEvent, EventPublisher } from './ports.js';

export interface RetryOptions {
  /** total tries, the first included */
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (info: { attempt: number; failed: number; error?: unknown }) => void;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Publishes `events`; answers the indexes of those still not accepted after every try. */
export async function publishWithRetry(publisher: EventPublisher, events: BusEvent[], opts: RetryOptions = {}): Promise<number[]> {
  const attempts = opts.attempts ?? 4;
  const base = opts.baseDelayMs ?? 200;
  const cap = opts.maxDelayMs ?? 3_000;
  const sleep = opts.sleep ?? realSleep;
  let pending = events.map((_, i) => i);
  for (let attempt = 1; pending.length > 0; attempt++) {
    let error: unknown;
    try {
      const { failedIndexes } = await publisher.publish(pending.map((i) => events[i]));
      pending = failedIndexes.map((j) => pending[j]);
    } catch (err) {
      error = err; // the whole call failed: every pending event is still pending
    }
    if (pending.length === 0 || attempt >= attempts) break;
    opts.onRetry?.({ attempt, failed: pending.length, error });
    await sleep(Math.random() * Math.min(cap, base * 2 ** (attempt - 1)));
  }
  return pending;
}
