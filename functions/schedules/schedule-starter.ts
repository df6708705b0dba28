/**
 * Schedule queue → claim each due schedule's time and start its run (§8, issue 16). Runs no executor:
 * the service deps (stores, run service, work queue) keep Graph and MSAL out of its bundle (issue 18).
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processScheduleBatch } from '../../shared/operations/schedule-starts.js';
import { serviceDeps } from '../../shared/operations/service-deps.js';

export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  const deps = serviceDeps();
  return processScheduleBatch(event, context, { ...deps, clock: deps.clock ?? (() => new Date()) });
};
