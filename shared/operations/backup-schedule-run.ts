/**
 * backup_schedule.run_now (§3): create a backup set named after the schedule and the time, back up
 * the schedule's selection, then prune the schedule's older sets beyond `keepLast`.
 *
 * Selection source: Graph's own listing of the schedule's categories at run time (not the inventory
 * table), so a schedule backs up what the tenant has now even if no inventory sync ran lately — and
 * the backup fetches each policy from Graph anyway.
 *
 * At start (backup-schedule-run.definition.ts, same transaction as the run): the new, `in_progress` backup set and the schedule's history
 * entry; the run's context is `{ scheduleId, backupSetId }`.
 */
import { CATEGORIES, type Category } from '../runs/catalog.js';
import { outcomeFromCounts } from '../runs/lifecycle.js';
import type { Run } from '../runs/model.js';
import { BackupStore } from '../store/backup-store.js';
import { epochSeconds } from '../store/conditions.js';
import { backUpPolicies, backupStore } from './backup-policies.js';
import { add, addTally, categoryUnavailable, type ChunkResult, type CountDelta, type OperationExecutor, type Tally } from './executor.js';
import { backupScheduleRunNowStart } from './backup-schedule-run.definition.js';
import { defineModule } from './module.js';

export type ScheduleRunCursor =
  | { phase: 'begin' }
  | { phase: 'list'; categories: Category[]; index: number; nextLink: string | null; keepLast: number; tally: Tally }
  | { phase: 'finish'; keepLast: number; tally: Tally };

const contextOf = (run: Run) => run.context as { scheduleId: string; backupSetId: string };

const executor: OperationExecutor<ScheduleRunCursor, 'backup_schedule.run_now'> = {
  type: 'backup_schedule.run_now',
  countNames: ['created', 'pruned'],
  initialCursor: () => ({ phase: 'begin' }),

  async processChunk(ctx, cursor): Promise<ChunkResult<ScheduleRunCursor>> {
    const { run } = ctx;
    const { scheduleId, backupSetId } = contextOf(run);
    const schedules = ctx.stores.schedules;

    if (cursor.phase === 'begin') {
      const schedule = await schedules.get(run.tenantId, scheduleId);
      // The run fails; its projection finishes the set and the history row in the same transaction.
      if (!schedule) throw new Error(`the backup schedule ${scheduleId} was deleted before its run began`);
      await schedules.recordLastRun(run.tenantId, scheduleId, run.id);
      const categories = schedule.categories ?? [...CATEGORIES];
      return { cursor: { phase: 'list', categories, index: 0, nextLink: null, keepLast: schedule.keepLast, tally: { succeeded: 0, failed: 0, skipped: 0 } }, done: false, counts: {} };
    }

    if (cursor.phase === 'list') {
      const category = cursor.categories[cursor.index];
      if (!category) return { cursor: { phase: 'finish', keepLast: cursor.keepLast, tally: cursor.tally }, done: false, counts: {} };
      const nextCategory = { ...cursor, index: cursor.index + 1, nextLink: null };
      const graph = await ctx.graph();
      let page;
      try {
        page = await graph.listPolicies(category, cursor.nextLink);
      } catch (err) {
        // A category the app may not read fails as one item; the others still get backed up.
        const failure = categoryUnavailable(err, category);
        if (!failure) throw err;
        await schedules.addFailedItems(run.tenantId, scheduleId, run.id, [`${category}/*`], epochSeconds(run.expiresAt));
        const counts: CountDelta = { total: 1, processed: 1, failed: 1 };
        return { cursor: { ...nextCategory, tally: addTally(cursor.tally, counts) }, done: false, counts, failures: [failure] };
      }
      const result = await backUpPolicies(ctx, graph, backupSetId, page.items.map((p) => ({ id: p.id, category })));
      await schedules.addFailedItems(run.tenantId, scheduleId, run.id, result.failedItems, epochSeconds(run.expiresAt));
      const tally = addTally(cursor.tally, result.counts);
      const next: ScheduleRunCursor = page.nextLink ? { ...cursor, nextLink: page.nextLink, tally } : { ...nextCategory, tally };
      return { cursor: next, done: false, counts: result.counts, failures: result.failures };
    }

    // finish: prune older sets (only after a usable backup). The set and the history entry are
    // settled by the run's projection, in the run's terminal transaction (scheduleRunRecords).
    const outcome = outcomeFromCounts(cursor.tally);
    const counts: CountDelta = {};
    if (outcome !== 'failed') add(counts, 'pruned', await pruneScheduleSets(backupStore(ctx), run.tenantId, scheduleId, backupSetId, cursor.keepLast));
    return { cursor, done: true, counts };
  },
};

/** Deletes the schedule's sets beyond the newest `keepLast` (the current set always counts as kept). */
export async function pruneScheduleSets(sets: BackupStore, tenantId: string, scheduleId: string, currentSetId: string, keepLast: number): Promise<number> {
  // The index may not show the set this run just made yet; it is the newest, so add it explicitly.
  const ids = [...new Set([currentSetId, ...(await sets.setsOfSchedule(tenantId, scheduleId))])].sort().reverse();
  const doomed = ids.slice(keepLast).filter((id) => id !== currentSetId);
  for (const id of doomed) await sets.deleteSet(tenantId, id);
  return doomed.length;
}

/** The backup_schedule.run_now module: definition and start plan (backup-schedule-run.definition.ts) and executor. */
export const backupScheduleRunNow = defineModule(backupScheduleRunNowStart, executor);
