/** Every minute: start the backup schedules that are due (§8). */
import { runBackupTick, type TickResult } from '../../shared/operations/backup-tick.js';
import { workerDeps } from '../../shared/operations/worker-deps.js';

export const handler = (): Promise<TickResult> => {
  const deps = workerDeps();
  return runBackupTick({ stores: deps.stores, service: deps.service, clock: deps.clock ?? (() => new Date()) });
};
