/**
 * SQS batches → worker (§8): Powertools BatchProcessor reports partial batch failures per message,
 * so one run that must be retried never makes the others redeliver.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { WorkMessage } from '../runs/ports.js';
import { processWorkMessage, type WorkerDeps, type WorkResult } from './worker.js';
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
    // last receive the message would go to the DLQ and the DLQ handler would fail a healthy run.
    // The worker's lease (120 s) is far shorter than the visibility timeout (6 × 120 s), so a message
    // whose own worker died is redelivered only after that lease expired (and is taken over): one
    // that still meets a live lease here is a duplicate, safe to acknowledge.
    const receives = Number(record.attributes?.ApproximateReceiveCount ?? 1);
    if (err instanceof LeaseHeldError && receives >= queues.work.maxReceiveCount) {
      deps.logger.warn('duplicate work message for a run a live worker holds; acknowledged', { runId: message.runId, receives });
      return 'ignored';
    }
    throw err;
  }
}
