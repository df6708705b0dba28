/** Every minute: start the backup schedules that are due (§8). */
import { runBackupTick, type TickResult } from '../../shared/operations/backup-tick.js';
import { workerDeps } from '../../shared/operations/worker-deps.js';

import { loadCursorKey } from '../../shared/store/cursor-key.js';

export const handler = async (): Promise<TickResult> => {
  await loadCursorKey(); // the tick pages through due schedules
  const deps = workerDeps();
  return runBackupTick({ stores: deps.stores, service: deps.service, clock: deps.clock ?? (() => new Date()) });
};
