/**
 * The transactional outbox's relay (issue 18 item 3; DISPATCH_MODE=outbox, see shared/settings.ts).
 * A start commits its run (status `queued`) in one transaction and sends nothing; the run item's
 * INSERT on the table stream is the outbox entry, and this relay turns it into the run's work
 * message. Nothing else is relayed: a MODIFY (claim, checkpoint, completion), a REMOVE (TTL) and
 * every other item kind are ignored — continuations are enqueued by the worker itself.
 *
 * Guarantees (SPEC §5, §8):
 *  - at least once: a record is acknowledged only once its message was sent or its run settled;
 *    otherwise the stream retries it (and may send it twice — the worker's conditional claim makes
 *    a duplicate harmless: a claimed run is not claimed again, a completed one is ignored);
 *  - never queued forever: when SQS keeps refusing after the retries here, the run completes as
 *    `failed / dispatch_failed` (§5: "the run was written but could not be enqueued"), only while
 *    still unclaimed, and its key is released in that transaction. If even that write fails, the
 *    record is retried by the stream; past the event source's retries the reaper's `dispatch_lost`
 *    (§8: queued 15 min without a claim) is the last net.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { WorkMessage, WorkQueue } from '../runs/ports.js';
import { logger } from '../observability/logger.js';

export interface OutboxRetry {
  /** total tries of one send, the first included (default 3) */
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface OutboxDeps {
  queue: WorkQueue;
  /** completes the run as failed/dispatch_failed while it is still unclaimed (RunService.failUndispatched) */
  failUndispatched: (tenantId: string, runId: string) => Promise<unknown>;
  retry?: OutboxRetry;
}

/** The work message a stream record asks for: only the INSERT of a run item whose status is queued. */
export function workMessageOf(record: DynamoDBRecord): WorkMessage | null {
  if (record.eventName !== 'INSERT' || !record.dynamodb?.NewImage) return null;
  const item = unmarshall(record.dynamodb.NewImage as never) as Record<string, unknown>;
  if (item.kind !== 'run' || item.status !== 'queued') return null;
  const { id, tenantId, type } = item;
  if (typeof id !== 'string' || typeof tenantId !== 'string' || typeof type !== 'string') throw new Error('a queued run item without id, tenantId or type');
  return { runId: id, tenantId, type };
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function sendWithRetry(queue: WorkQueue, message: WorkMessage, retry: OutboxRetry = {}): Promise<unknown> {
  const attempts = retry.attempts ?? 3;
  const sleep = retry.sleep ?? realSleep;
  let error: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      await queue.send(message);
      return undefined;
    } catch (err) {
      error = err;
      if (attempt < attempts) await sleep(Math.random() * Math.min(retry.maxDelayMs ?? 2_000, (retry.baseDelayMs ?? 100) * 2 ** (attempt - 1)));
    }
  }
  return error ?? new Error('not sent');
}

/**
 * Enqueues the given messages (concurrently); answers the indexes of those whose run is neither
 * enqueued nor settled as dispatch_failed — the stream must retry them.
 */
export async function relayOutbox(messages: WorkMessage[], deps: OutboxDeps): Promise<number[]> {
  const unsettled = await Promise.all(
    messages.map(async (message, i) => {
      const error = await sendWithRetry(deps.queue, message, deps.retry);
      if (!error) return -1;
      logger.error('a queued run could not be enqueued; failing it as dispatch_failed', { runId: message.runId, tenantId: message.tenantId, error: error as Error });
      try {
        await deps.failUndispatched(message.tenantId, message.runId);
        return -1;
      } catch (err) {
        logger.error('a run that could not be enqueued could not be failed either; the stream will retry it', { runId: message.runId, error: err as Error });
        return i;
      }
    }),
  );
  return unsettled.filter((i) => i >= 0);
}
