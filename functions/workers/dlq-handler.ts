/** Work DLQ → runs failed with `worker_exhausted_retries`, keys released (§8). */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processDeadLetters } from '../../shared/operations/dead-letters.js';
import { serviceDeps } from '../../shared/operations/service-deps.js';

export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => processDeadLetters(event, context, serviceDeps());
