/** SQS work queue → run worker (§8). Thin: the work is in shared/operations/worker.ts. */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processWorkBatch } from '../../shared/operations/work-batch.js';
import { msalAppTokens } from '../../shared/graph/msal-tokens.js';
import { workerDeps } from '../../shared/operations/worker-deps.js';

// Nothing is loaded before the work: the cursor key on the first signed cursor (table-client.ts),
// the Secrets Manager, SQS and MSAL clients on their first use (chunks of their own when deployed).
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
  processWorkBatch(event, context, workerDeps({ appTokens: msalAppTokens }));
