/**
 * The backup scheduler tick (§8), run every minute by an EventBridge rule (and on demand locally via
 * POST /dev/schedules/tick). For each enabled schedule whose nextRunAt has passed:
 *
 *   1. claim the due time — move nextRunAt to the next fire time after `now`, on condition that it
 *      still is the time we read. Only one tick wins a due time; the losers start nothing.
 *   2. start backup_schedule.run_now (initiator Scheduler, surface schedule).
 *   3. when a run of that schedule is already active (a manual one, or a slow previous one), the start
 *      is deduplicated: record the skip and its reason on the schedule instead of failing; when the
 *      tenant is at its active-run quota, the skip's reason is `quota`.
 *
 * Missed due times (the tick was down) collapse into one run: the next fire time is computed from now.
 * Claiming first means a crash between 1 and 2 loses that one due time rather than ever running it twice.
 */
import { ActiveRunQuotaExceededError, DispatchFailedError, PreconditionFailedError } from '../runs/errors.js';
import type { RunService } from '../runs/service.js';
import type { ScheduleStore, ScheduleSkip } from '../store/schedule-store.js';
import type { Stores } from '../store/stores.js';
import { planScheduleRun } from './backup-schedule-run.definition.js';
import { claimDueTime } from '../schedules/schedule.js';

export const SCHEDULER_INITIATOR = { userId: null, name: 'Scheduler' } as const;

export interface TickDeps {
  stores: Stores;
  service: RunService;
  clock: () => Date;
}

export interface TickSkip {
  scheduleId: string;
  tenantId: string;
  reason: ScheduleSkip['reason'] | 'already_claimed';
  runId?: string;
}

export interface TickResult {
  started: string[];
  skipped: TickSkip[];
}

export async function runBackupTick(deps: TickDeps, now: Date = deps.clock()): Promise<TickResult> {
  const schedules = deps.stores.schedules;
  const nowIso = now.toISOString();
  const result: TickResult = { started: [], skipped: [] };
  let startKey: Record<string, any> | undefined;
  do {
    const page = await schedules.listDue(nowIso, 100, startKey);
    for (const due of page.items) await tickOne(deps, schedules, due, now, result);
    startKey = page.lastKey;
  } while (startKey);
  return result;
}

async function tickOne(deps: TickDeps, schedules: ScheduleStore, due: { tenantId: string; scheduleId: string; nextRunAt: string }, now: Date, result: TickResult) {
  const { tenantId, scheduleId, nextRunAt: scheduledFor } = due;
  const schedule = await schedules.get(tenantId, scheduleId);
  // Deleted, disabled or already advanced since the index was read: nothing is due any more.
  if (!schedule || !schedule.enabled || schedule.nextRunAt !== scheduledFor) return;
  if (!(await claimDueTime(schedules, schedule, scheduledFor, now))) {
    result.skipped.push({ scheduleId, tenantId, reason: 'already_claimed' });
    return;
  }
  const skip = async (reason: ScheduleSkip['reason'], runId: string | null) => {
    await schedules.recordSkip(tenantId, scheduleId, { at: now.toISOString(), reason, runId, scheduledFor });
    result.skipped.push({ scheduleId, tenantId, reason, ...(runId ? { runId } : {}) });
  };
  try {
    const plan = await planScheduleRun(tenantId, scheduleId, deps, { scheduledFor });
    const { run, deduplicated } = await deps.service.startRun({
      tenantId, type: 'backup_schedule.run_now', input: { scheduleId }, initiator: { ...SCHEDULER_INITIATOR }, surface: 'schedule', ...plan,
    });
    if (deduplicated) return await skip('already_running', run.id);
    await schedules.recordLastRun(tenantId, scheduleId, run.id);
    result.started.push(run.id);
  } catch (err) {
    if (err instanceof DispatchFailedError) return skip('start_failed', err.run.id);
    if (err instanceof PreconditionFailedError) return skip('not_found', null);
    // The tenant is at MAX_ACTIVE_RUNS_PER_TENANT: this due time is skipped, and says why (issue 16).
    if (err instanceof ActiveRunQuotaExceededError) return skip('quota', null);
    throw err;
  }
}
