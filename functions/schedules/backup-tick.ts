/** Every minute: start the backup schedules that are due (§8). */
import { runBackupTick, type TickResult } from '../../shared/operations/backup-tick.js';
import { serviceDeps } from '../../shared/operations/service-deps.js';

import { loadCursorKey } from '../../shared/store/cursor-key.js';

export const handler = async (): Promise<TickResult> => {
  await loadCursorKey(); // the tick pages through due schedules
  const deps = serviceDeps();
  return runBackupTick({ stores: deps.stores, service: deps.service, clock: deps.clock ?? (() => new Date()) });
};
