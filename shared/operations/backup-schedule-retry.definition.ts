/**
 * backup_schedule.retry (§3): definition and start plan. 422 unless the schedule exists and the run
 * exists, is a run_now run of THAT schedule, ended failed or partially_succeeded, and its backup set
 * is still there. At start: the retry's history entry on the schedule.
 */
import { keys } from '../store/keys.js';
import { followRun } from '../store/run-rows.js';
import { epochSeconds } from '../store/conditions.js';
import * as z from '../zod.js';
import { PreconditionFailedError } from '../runs/errors.js';
import type { Run } from '../runs/model.js';
import { unknownSchedule } from './backup-schedule-run.definition.js';
import { defineStart, knownId, recordIdField } from './module.js';

const refused = (message: string) => new PreconditionFailedError(message, [{ path: 'input.runId', message }]);

export const backupScheduleRetryStart = defineStart({
  definition: {
    type: 'backup_schedule.retry',
    label: 'Backup schedule retry',
    minimumRole: 'operator',
    schema: z.strictObject({ scheduleId: recordIdField, runId: recordIdField }),
    identity: (i) => ({ scheduleId: i.scheduleId }),
  },
  plan: async (tenantId, input, deps) => {
    const schedules = deps.stores.schedules;
    if (!(await schedules.get(tenantId, knownId(input.scheduleId, unknownSchedule)))) throw unknownSchedule(input.scheduleId);
    knownId(input.runId, (id) => refused(`The run ${id} does not exist in this tenant.`));
    const earlier = await deps.stores.runs.getRun(tenantId, input.runId);
    if (!earlier) throw refused(`The run ${input.runId} does not exist in this tenant.`);
    if (earlier.type !== 'backup_schedule.run_now' || (earlier.input as { scheduleId?: string }).scheduleId !== input.scheduleId) {
      throw refused(`The run ${input.runId} is not a backup run of schedule ${input.scheduleId}.`);
    }
    if (earlier.status !== 'completed' || (earlier.outcome !== 'failed' && earlier.outcome !== 'partially_succeeded')) {
      throw refused(`Only a failed or partially succeeded run can be retried; run ${input.runId} is ${earlier.status === 'completed' ? earlier.outcome : earlier.status}.`);
    }
    const entry = await schedules.getScheduleRun(tenantId, input.scheduleId, input.runId);
    if (!entry) throw refused(`The run ${input.runId} has no history entry on schedule ${input.scheduleId}.`);
    if (!(await deps.stores.backups.getSet(tenantId, entry.backupSetId))) {
      throw refused(`The backup set ${entry.backupSetId} of run ${input.runId} was pruned; start a new run instead.`);
    }
    return {
      context: { scheduleId: input.scheduleId, backupSetId: entry.backupSetId, retryOfRunId: input.runId },
      companions: (run: Run) => [schedules.scheduleRunPut({
        tenantId, scheduleId: input.scheduleId, runId: run.id, type: 'backup_schedule.retry', scheduledFor: null, status: 'queued',
        backupSetId: entry.backupSetId, retryOfRunId: input.runId, failedItemCount: 0, createdAt: run.createdAt, completedAt: null, expiresAt: epochSeconds(run.expiresAt),
      })],
    };
  },
  records: {
    rows: [{ kind: 'scheduleRun', key: 'TENANT#t / SCHEDRUN#<scheduleId>#<runId>', retention: 'run' }],
    // The history row follows the run; the set it fills keeps its own status (a retry only fixes a failed one up, below).
    project: (run) => [followRun('scheduleRun', keys.scheduleRun(run.tenantId, (run.context as { scheduleId: string }).scheduleId, run.id), run)],
  },
});
