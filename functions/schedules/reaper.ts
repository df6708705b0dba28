/** Every 5 minutes: fail runs whose dispatch or worker was lost, releasing their keys (§8). */
import { reapLostRuns, type ReapResult } from '../../shared/operations/reaper.js';
import { workerDeps } from '../../shared/operations/worker-deps.js';

export const handler = (): Promise<ReapResult> => reapLostRuns(workerDeps());
