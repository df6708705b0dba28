/** SQS work queue → run worker (§8). Thin: the work is in shared/operations/worker.ts. */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processWorkBatch } from '../../shared/operations/work-batch.js';
import { workerDeps } from '../../shared/operations/worker-deps.js';

export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => processWorkBatch(event, context, workerDeps());
