/** How backup schedules and their history look in API answers (§5): internal bookkeeping removed. */
import type { Run } from '../runs/model.js';
import type { BackupSchedule, ScheduleRun } from '../store/schedule-store.js';

export function toApiSchedule(s: BackupSchedule) {
  const { version: _v, ...rest } = s;
  return rest;
}

/**
 * A history entry as the API shows it. An entry still `queued`/`running` after its run ended (a
 * cancel, the reaper, a worker crash — the executor never got to close it) takes the run's outcome.
 */
export function toApiHistory(entry: ScheduleRun, run: Run | null) {
  const { tenantId: _t, scheduleId: _s, ...rest } = entry;
  const settled = (entry.status === 'queued' || entry.status === 'running') && run?.status === 'completed';
  return {
    ...rest,
    status: settled ? run!.outcome : entry.status,
    ...(settled ? { completedAt: run!.completedAt } : {}),
  };
}
