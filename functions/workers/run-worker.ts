/** SQS work queue → run worker (§8). Thin: the work is in shared/operations/worker.ts. */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processWorkBatch } from '../../shared/operations/work-batch.js';
import { msalAppTokens } from '../../shared/graph/msal-tokens.js';
import { workerDeps } from '../../shared/operations/worker-deps.js';

import { loadCursorKey } from '../../shared/store/cursor-key.js';

// The cursor key is loaded before the work: drift generation pages through stored policies.
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  await loadCursorKey();
  return processWorkBatch(event, context, workerDeps({ appTokens: msalAppTokens }));
};
