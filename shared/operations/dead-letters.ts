/**
 * The DLQ handler's work (§8): a message that exhausted `maxReceiveCount` completes its run as
 * `failed` (`worker_exhausted_retries`), releasing the run's active key in the same transaction.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { RunNotFoundError } from '../runs/errors.js';
import type { RunService } from '../runs/service.js';
import { parseWorkMessage } from './work-batch.js';

export interface DeadLetterDeps {
  service: RunService;
  logger: Logger;
}

export async function failExhaustedRun(record: SQSRecord, deps: DeadLetterDeps): Promise<'failed' | 'ignored'> {
  const message = parseWorkMessage(record.body);
  if (!message) {
    deps.logger.error('malformed dead letter dropped', { messageId: record.messageId });
    return 'ignored';
  }
  const receives = record.attributes?.ApproximateReceiveCount;
  try {
    const run = await deps.service.failRun(message.tenantId, message.runId, 'worker_exhausted_retries',
      `the work message was delivered ${receives ?? 'too many'} times without finishing and moved to the dead-letter queue`);
    deps.logger.warn(run ? 'run failed: worker retries exhausted' : 'dead letter for an already completed run', { runId: message.runId, tenantId: message.tenantId });
    return run ? 'failed' : 'ignored';
  } catch (err) {
    if (err instanceof RunNotFoundError) return 'ignored';
    throw err;
  }
}

export function processDeadLetters(event: SQSEvent, context: Partial<Context>, deps: DeadLetterDeps): Promise<SQSBatchResponse> {
  return processPartialResponse(event, (r: SQSRecord) => failExhaustedRun(r, deps), new BatchProcessor(EventType.SQS), {
    context: context as Context,
    throwOnFullBatchFailure: false,
  });
}
