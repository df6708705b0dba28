/**
 * The backup-schedule rules (§5, §8), in one place: a schedule's `nextRunAt` is the first fire time
 * of its cron after the moment it was created, re-timed, switched on, or claimed by the tick; a
 * disabled schedule has none. The store keeps the due-index lookup key in step with `nextRunAt` on
 * every write, so these functions are the only ones that decide it.
 */
import type { BackupSchedule, ScheduleStore } from '../store/schedule-store.js';
import { VersionConflictError } from '../store/errors.js';
import type { CompanionPut } from '../runs/ports.js';
import { nextRunAfter } from './cron.js';

export { cronProblem, nextRunAfter } from './cron.js';

export type NewSchedule = Pick<BackupSchedule, 'id' | 'tenantId' | 'name' | 'cron' | 'categories' | 'keepLast' | 'enabled'>;
export type ScheduleEdit = Partial<Pick<BackupSchedule, 'name' | 'cron' | 'categories' | 'keepLast' | 'enabled'>>;

/** A new schedule, due at its first fire time after `now` when enabled. */
export function newSchedule(s: NewSchedule, now: Date): BackupSchedule {
  return {
    ...s, nextRunAt: s.enabled ? nextRunAfter(s.cron, now) : null, lastRunId: null, lastSkip: null,
    createdAt: now.toISOString(), updatedAt: now.toISOString(), version: 1,
  };
}

/** A schedule after an edit: a new cron, or a schedule switched back on, fires next from now; a disabled one has no due time. */
export function editSchedule(current: BackupSchedule, edit: ScheduleEdit, now: Date): BackupSchedule {
  const next: BackupSchedule = {
    ...current,
    ...(edit.name !== undefined ? { name: edit.name } : {}),
    ...(edit.cron !== undefined ? { cron: edit.cron } : {}),
    ...(edit.categories !== undefined ? { categories: edit.categories } : {}),
    ...(edit.keepLast !== undefined ? { keepLast: edit.keepLast } : {}),
    ...(edit.enabled !== undefined ? { enabled: edit.enabled } : {}),
    updatedAt: now.toISOString(),
  };
  const retime = next.cron !== current.cron || (next.enabled && !current.enabled) || (next.enabled && !current.nextRunAt);
  next.nextRunAt = !next.enabled ? null : retime ? nextRunAfter(next.cron, now) : current.nextRunAt;
  return next;
}

export type UpdateResult = { kind: 'updated'; schedule: BackupSchedule } | { kind: 'not_found' } | { kind: 'conflict' };

/**
 * Saves an edit with optimistic concurrency. The tick bumps the version when it claims a due time:
 * re-read and re-apply the edit then (a few times, then `conflict`).
 */
export async function updateSchedule(
  store: ScheduleStore, tenantId: string, scheduleId: string, edit: ScheduleEdit, clock: () => Date, attempts = 3,
  /** records written in the edit's own transaction (its audit entry) */
  companions: (prev: BackupSchedule, next: BackupSchedule) => CompanionPut[] = () => [],
): Promise<UpdateResult> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const current = await store.get(tenantId, scheduleId);
    if (!current) return { kind: 'not_found' };
    const next = editSchedule(current, edit, clock());
    try {
      await store.save(current, next, companions(current, next));
      return { kind: 'updated', schedule: { ...next, version: current.version + 1 } };
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
    }
  }
  return { kind: 'conflict' };
}

/**
 * The tick's claim of a due time `scheduledFor`: moves nextRunAt to the next fire time after `now`,
 * on condition that it still is `scheduledFor`. False when another tick or an edit got there first
 * (or the cron never fires again).
 */
export async function claimDueTime(store: ScheduleStore, schedule: BackupSchedule, scheduledFor: string, now: Date): Promise<boolean> {
  const next = nextRunAfter(schedule.cron, now);
  return next !== null && (await store.claimDue(schedule.tenantId, schedule.id, scheduledFor, next, now.toISOString()));
}
