/** Schedule queue → claim each due schedule's time and start its run (§8, issue 16). */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processScheduleBatch } from '../../shared/operations/schedule-starts.js';
import { workerDeps } from '../../shared/operations/worker-deps.js';

export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  const deps = workerDeps();
  return processScheduleBatch(event, context, { ...deps, clock: deps.clock ?? (() => new Date()) });
};
