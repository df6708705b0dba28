/** Every 5 minutes: fail runs whose dispatch or worker was lost, releasing their keys (§8). */
import { reapLostRuns, type ReapResult } from '../../shared/operations/reaper.js';
import { serviceDeps } from '../../shared/operations/service-deps.js';

export const handler = async (): Promise<ReapResult> => reapLostRuns(serviceDeps());
