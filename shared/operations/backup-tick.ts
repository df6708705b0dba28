/**
 * The backup scheduler (§8), in two steps so that one minute with 1,000 due schedules completes
 * (issue 16):
 *
 *   find  — the tick (every minute, EventBridge) pages through the due index and sends one message
 *           per due schedule to the schedule queue (`fanOutDueSchedules`). It writes nothing to the
 *           table and stops paging before its time budget ends; what it leaves is still due.
 *   start — the schedule starter (SQS, partial batch failures) handles one message
 *           (`startDueSchedule`):
 *     1. claim the due time — move nextRunAt to the next fire time after `now`, on condition that it
 *        still is the time the tick read. Only one claim wins a due time: a duplicated message, or
 *        the next tick sending a schedule again whose message is still queued, starts nothing.
 *     2. start backup_schedule.run_now (initiator Scheduler, surface schedule).
 *     3. when a run of that schedule is already active (a manual one, or a slow previous one), the
 *        start is deduplicated: record the skip and its reason on the schedule instead of failing;
 *        when the tenant is at its active-run quota, the skip's reason is `quota`.
 *
 * Locally, POST /dev/schedules/tick runs both steps in process (`runBackupTick`) so it can answer
 * the runs it started (§10); the local runtime's minute tick goes through the queue, as in AWS.
 *
 * Missed due times (the tick was down) collapse into one run: the next fire time is computed from now.
 * Claiming first means a crash between 1 and 2 loses that one due time rather than ever running it twice.
 */
import { ActiveRunQuotaExceededError, DispatchFailedError, PreconditionFailedError } from '../runs/errors.js';
import type { RunService } from '../runs/service.js';
import type { ScheduleStore, ScheduleSkip } from '../store/schedule-store.js';
import type { PlanStores, Stores } from '../store/stores.js';
import type { ScheduleMessage, ScheduleQueue } from '../queue/sqs-schedule-queue.js';
import { planScheduleRun } from './backup-schedule-run.definition.js';
import { claimDueTime } from '../schedules/schedule.js';

export const SCHEDULER_INITIATOR = { userId: null, name: 'Scheduler' } as const;

/** One page of the due index: 100 schedules, sent as 10 SendMessageBatch calls. */
const DUE_PAGE_SIZE = 100;

export interface TickDeps {
  stores: PlanStores;
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

/** What one due schedule came to: a run started, a skip, or nothing (no longer due). */
export type StartOutcome = { started: string } | { skipped: TickSkip } | { gone: true };

export interface FanOutResult {
  /** due schedules sent to the schedule queue */
  enqueued: number;
  /** false when the time budget ended first: the rest is still due, and the next tick finds it */
  complete: boolean;
}

/**
 * Pages through the schedules due at `now` (one Query per page on the due index), handing each page
 * to `onPage`, while `hasTime()` says there is budget for another page.
 */
async function forEachDuePage(schedules: ScheduleStore, now: Date, onPage: (due: ScheduleMessage[]) => Promise<void>, hasTime: () => boolean = () => true): Promise<boolean> {
  let startKey: Record<string, any> | undefined;
  do {
    if (!hasTime()) return false;
    const page = await schedules.listDue(now.toISOString(), DUE_PAGE_SIZE, startKey);
    await onPage(page.items.map(({ tenantId, scheduleId, nextRunAt }) => ({ tenantId, scheduleId, scheduledFor: nextRunAt })));
    startKey = page.lastKey;
  } while (startKey);
  return true;
}

/** The tick's step (AWS and the local runtime's minute tick): find due schedules, one message each. */
export async function fanOutDueSchedules(deps: { stores: Pick<Stores, 'schedules'>; queue: ScheduleQueue }, now: Date, hasTime: () => boolean): Promise<FanOutResult> {
  let enqueued = 0;
  const complete = await forEachDuePage(deps.stores.schedules, now, async (due) => {
    if (due.length === 0) return;
    await deps.queue.sendAll(due);
    enqueued += due.length;
  }, hasTime);
  return { enqueued, complete };
}

/** Both steps in process, one schedule after another: POST /dev/schedules/tick and tests. */
export async function runBackupTick(deps: TickDeps, now: Date = deps.clock()): Promise<TickResult> {
  const result: TickResult = { started: [], skipped: [] };
  await forEachDuePage(deps.stores.schedules, now, async (due) => {
    for (const message of due) {
      const outcome = await startDueSchedule(deps, message, now);
      if ('started' in outcome) result.started.push(outcome.started);
      if ('skipped' in outcome) result.skipped.push(outcome.skipped);
    }
  });
  return result;
}

/** The starter's step: claim the due time of one schedule, then start its run (or record why not). */
export async function startDueSchedule(deps: TickDeps, due: ScheduleMessage, now: Date): Promise<StartOutcome> {
  const { tenantId, scheduleId, scheduledFor } = due;
  const schedules = deps.stores.schedules;
  const schedule = await schedules.get(tenantId, scheduleId);
  // Deleted, disabled or already advanced since the index was read: nothing is due any more.
  if (!schedule || !schedule.enabled || schedule.nextRunAt !== scheduledFor) return { gone: true };
  if (!(await claimDueTime(schedules, schedule, scheduledFor, now))) return { skipped: { scheduleId, tenantId, reason: 'already_claimed' } };
  const skip = async (reason: ScheduleSkip['reason'], runId: string | null): Promise<StartOutcome> => {
    await schedules.recordSkip(tenantId, scheduleId, { at: now.toISOString(), reason, runId, scheduledFor });
    return { skipped: { scheduleId, tenantId, reason, ...(runId ? { runId } : {}) } };
  };
  try {
    const plan = await planScheduleRun(tenantId, scheduleId, deps, { scheduledFor });
    const { run, deduplicated } = await deps.service.startRun({
      tenantId, type: 'backup_schedule.run_now', input: { scheduleId }, initiator: { ...SCHEDULER_INITIATOR }, surface: 'schedule', ...plan,
    });
    if (deduplicated) return await skip('already_running', run.id);
    await schedules.recordLastRun(tenantId, scheduleId, run.id);
    return { started: run.id };
  } catch (err) {
    if (err instanceof DispatchFailedError) return skip('start_failed', err.run.id);
    if (err instanceof PreconditionFailedError) return skip('not_found', null);
    // The tenant is at MAX_ACTIVE_RUNS_PER_TENANT: this due time is skipped, and says why (issue 16).
    if (err instanceof ActiveRunQuotaExceededError) return skip('quota', null);
    throw err;
  }
}
