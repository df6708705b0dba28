/**
 * Every minute: find the backup schedules that are due and send each to the schedule queue (§8,
 * issue 16); the schedule starter claims and starts them. Stops paging TICK_SAFETY_MARGIN_MS before
 * its timeout: what is left is still due, and the next tick finds it.
 */
import type { Context } from 'aws-lambda';
import { fanOutDueSchedules, type FanOutResult } from '../../shared/operations/backup-tick.js';
import { SqsScheduleQueue } from '../../shared/queue/sqs-schedule-queue.js';
import { settings } from '../../shared/settings.js';
import { sharedSqsClient } from '../../shared/queue/sqs-client.js';
import { sharedDocumentClient } from '../../shared/store/clients.js';
import { scheduleStore, storeSet } from '../../shared/store/stores.js';
import { TICK_SAFETY_MARGIN_MS } from '../../shared/wiring.js';

export const handler = async (_event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<FanOutResult> => {
  const stores = { schedules: scheduleStore(storeSet({ doc: sharedDocumentClient(), table: settings().tableName })) };
  const queue = new SqsScheduleQueue(sharedSqsClient(), settings().scheduleQueueUrl ?? '');
  return fanOutDueSchedules({ stores, queue }, new Date(), () => context.getRemainingTimeInMillis() > TICK_SAFETY_MARGIN_MS);
};
