/**
 * SQS batches → worker (§8): Powertools BatchProcessor reports partial batch failures per message,
 * so one run that must be retried never makes the others redeliver.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { WorkMessage } from '../runs/ports.js';
import { DEFAULT_WORKER_SETTINGS, processWorkMessage, type WorkerDeps, type WorkResult } from './worker.js';
import { LeaseHeldError } from '../runs/service.js';
import { queues } from '../wiring.js';

/** The bit of the Lambda context the worker needs (the local runtime passes its own). */
export type WorkContext = Pick<Context, 'getRemainingTimeInMillis'> & Partial<Context>;

export function parseWorkMessage(body: string): WorkMessage | null {
  try {
    const m = JSON.parse(body);
    if (typeof m?.runId !== 'string' || typeof m?.tenantId !== 'string' || typeof m?.type !== 'string') return null;
    return { runId: m.runId, tenantId: m.tenantId, type: m.type, continuation: typeof m.continuation === 'number' ? m.continuation : undefined };
  } catch {
    return null;
  }
}

export async function processWorkBatch(event: SQSEvent, context: WorkContext, deps: WorkerDeps): Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  const remaining = () => context.getRemainingTimeInMillis();
  return processPartialResponse(event, (record: SQSRecord) => processRecord(record, remaining, deps), processor, {
    context: context as Context,
    // A whole batch to retry is still an answer, not a crash of the invocation.
    throwOnFullBatchFailure: false,
  });
}

async function processRecord(record: SQSRecord, remaining: () => number, deps: WorkerDeps): Promise<WorkResult> {
  const message = parseWorkMessage(record.body);
  if (!message) {
    // Nothing to retry: a message without a run can never succeed. Acknowledge it, loudly.
    deps.logger.error('malformed work message dropped', { messageId: record.messageId });
    return 'ignored';
  }
  try {
    return await processWorkMessage(message, remaining, deps);
  } catch (err) {
    // A live worker holds the run's lease (a duplicate delivery). Retrying later is right, but on the
    // last receive the message would go to the DLQ and the DLQ handler would fail a healthy run. Nor
    // may it simply be dropped: SQS is at-least-once — a copy of a message can be delivered again
    // while its first receiver still works on it (Amazon SQS Developer Guide, "At-least-once
    // delivery") — so this may be the very message the lease holder received, and if that worker then
    // dies, no message would be left to take the run over and only the reaper would end it
    // (`worker_lost`). So the message is handed over: a fresh copy, delayed until just after the lease
    // (SendMessage DelaySeconds ≤ 900), then this one is acknowledged. A healthy holder finishes first
    // and the copy meets a completed run (ignored) or the holder's next lease (retried the same way).
    const receives = Number(record.attributes?.ApproximateReceiveCount ?? 1);
    if (err instanceof LeaseHeldError && receives >= queues.work.maxReceiveCount) {
      const now = (deps.clock ?? (() => new Date()))().getTime();
      const leaseLeftMs = err.leaseExpiresAt ? Date.parse(err.leaseExpiresAt) - now : 0;
      const delaySeconds = Math.min(deps.settings?.maxDeferSeconds ?? DEFAULT_WORKER_SETTINGS.maxDeferSeconds, Math.max(1, Math.ceil(leaseLeftMs / 1000) + 1));
      try {
        await deps.queue.send(message, { delaySeconds });
        deps.logger.warn('work message met a live lease on its last receive; handed over to a delayed copy', { runId: message.runId, receives, delaySeconds });
      } catch (sendErr) {
        // Failing this record would send it to the DLQ, whose handler fails a healthy run: acknowledge
        // it as before; should its holder die, the reaper's worker_lost ends the run (§8).
        deps.logger.error('work message met a live lease on its last receive and its copy could not be sent; acknowledged', { runId: message.runId, receives, error: sendErr as Error });
      }
      return 'ignored';
    }
    throw err;
  }
}
