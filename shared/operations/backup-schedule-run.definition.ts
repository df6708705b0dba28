/**
 * backup_schedule.run_now (§3): definition and start plan. At start (same transaction as the run):
 * the new, `in_progress` backup set and the schedule's history entry; the run's context is
 * `{ scheduleId, backupSetId }`. The scheduler tick starts runs through the same plan.
 */
import { ulid } from 'ulid';
import * as z from '../zod.js';
import { PreconditionFailedError } from '../runs/errors.js';
import type { Run } from '../runs/model.js';
import { defineStart, knownId, recordIdField, type DomainRecords, type StartCheckDeps, type StartPlan } from './module.js';
import { keys } from '../store/keys.js';
import { followRun } from '../store/run-rows.js';
import { epochSeconds } from '../store/conditions.js';

const SET_STATUS = { succeeded: 'complete', partially_succeeded: 'complete', failed: 'failed', cancelled: 'cancelled', pending: 'failed' } as const;

/**
 * A schedule run's rows follow the run: its history row (status, completedAt) and, once the run
 * completes by any path, its backup set (never left `in_progress`).
 */
export const scheduleRunRecords: DomainRecords = {
  rows: [
    { kind: 'scheduleRun', key: 'TENANT#t / SCHEDRUN#<scheduleId>#<runId>', retention: 'run' },
    { kind: 'backupSet', key: 'TENANT#t / BACKUPSET#<setId>', retention: 'subject' },
  ],
  project: (run) => {
    const { scheduleId, backupSetId } = run.context as { scheduleId: string; backupSetId: string };
    const row = followRun('scheduleRun', keys.scheduleRun(run.tenantId, scheduleId, run.id), run);
    if (run.status !== 'completed') return [row];
    return [row, followRun('backupSet', keys.backupSet(run.tenantId, backupSetId), run, { status: SET_STATUS[run.outcome] })];
  },
};

export const unknownSchedule = (id: string) =>
  new PreconditionFailedError(`The backup schedule ${id} does not exist in this tenant.`, [{ path: 'input.scheduleId', message: 'unknown backup schedule' }]);

/** The start plan of a schedule run; the tick passes the due time it claimed. */
export async function planScheduleRun(tenantId: string, scheduleId: string, deps: StartCheckDeps, opts: { scheduledFor?: string } = {}): Promise<StartPlan> {
  const schedules = deps.stores.schedules;
  const schedule = await schedules.get(tenantId, knownId(scheduleId, unknownSchedule));
  if (!schedule) throw unknownSchedule(scheduleId);
  const now = deps.clock();
  const backupSetId = ulid(now.getTime());
  const sets = deps.stores.backups;
  return {
    context: { scheduleId, backupSetId },
    companions: (run: Run) => [
      sets.newSetPut({
        id: backupSetId, tenantId, name: `${schedule.name} ${now.toISOString().slice(0, 16).replace('T', ' ')} UTC`, status: 'in_progress', itemCount: 0,
        createdAt: now.toISOString(), createdBy: run.initiator, scheduleId, runId: run.id, completedAt: null,
      }),
      schedules.scheduleRunPut({
        tenantId, scheduleId, runId: run.id, type: 'backup_schedule.run_now', scheduledFor: opts.scheduledFor ?? null, status: 'queued',
        backupSetId, retryOfRunId: null, failedItemCount: 0, createdAt: run.createdAt, completedAt: null, expiresAt: epochSeconds(run.expiresAt),
      }),
    ],
  };
}

export const backupScheduleRunNowStart = defineStart({
  definition: {
    type: 'backup_schedule.run_now',
    label: 'Backup schedule run',
    minimumRole: 'operator',
    schema: z.strictObject({ scheduleId: recordIdField }),
    identity: (i) => ({ scheduleId: i.scheduleId }),
  },
  plan: (tenantId, input, deps) => planScheduleRun(tenantId, input.scheduleId, deps),
  records: scheduleRunRecords,
});
