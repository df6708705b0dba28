/**
 * Schedule queue → schedule starter (issue 16): Powertools BatchProcessor reports partial batch
 * failures per message, so one schedule whose start must be retried never redelivers the others.
 * Each message is idempotent (the claim decides, see backup-tick.ts): a redelivered or duplicated
 * message finds its due time claimed and starts nothing.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseScheduleMessage } from '../queue/sqs-schedule-queue.js';
import { startDueSchedule, type StartOutcome, type TickDeps } from './backup-tick.js';

export const SCHEDULE_MESSAGE_HANDLED = 'schedule message handled';

export interface ScheduleStartDeps extends TickDeps {
  logger: Logger;
}

async function startOne(record: SQSRecord, deps: ScheduleStartDeps): Promise<StartOutcome | 'ignored'> {
  const message = parseScheduleMessage(record.body);
  if (!message) {
    // Nothing to retry: a message without a schedule can never succeed. Acknowledge it, loudly.
    deps.logger.error('malformed schedule message dropped', { messageId: record.messageId });
    return 'ignored';
  }
  // The next fire time is computed from now, and always lies after the due time being claimed.
  const now = new Date(Math.max(deps.clock().getTime(), Date.parse(message.scheduledFor)));
  const outcome = await startDueSchedule(deps, message, now);
  // One line per message: `not_due` and `already_claimed` are the duplicates the claim turned away.
  if ('started' in outcome) deps.logger.info(SCHEDULE_MESSAGE_HANDLED, { ...message, outcome: 'started', runId: outcome.started });
  else if ('skipped' in outcome) deps.logger.info(SCHEDULE_MESSAGE_HANDLED, { ...message, outcome: 'skipped', reason: outcome.skipped.reason, runId: outcome.skipped.runId });
  else deps.logger.info(SCHEDULE_MESSAGE_HANDLED, { ...message, outcome: 'not_due' });
  return outcome;
}

export function processScheduleBatch(event: SQSEvent, context: Partial<Context>, deps: ScheduleStartDeps): Promise<SQSBatchResponse> {
  return processPartialResponse(event, (r: SQSRecord) => startOne(r, deps), new BatchProcessor(EventType.SQS), {
    context: context as Context,
    // A whole batch to retry is still an answer, not a crash of the invocation.
    throwOnFullBatchFailure: false,
  });
}
