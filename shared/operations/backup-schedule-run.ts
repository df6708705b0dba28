/**
 * backup_schedule.run_now (§3): create a backup set named after the schedule and the time, back up
 * the schedule's selection, then prune the schedule's older sets beyond `keepLast`.
 *
 * Selection source: Graph's own listing of the schedule's categories at run time (not the inventory
 * table), so a schedule backs up what the tenant has now even if no inventory sync ran lately — and
 * the backup fetches each policy from Graph anyway.
 *
 * At start (same transaction as the run): the new, `in_progress` backup set and the schedule's history
 * entry; the run's context is `{ scheduleId, backupSetId }`.
 */
import { ulid } from 'ulid';
import { GraphError } from '../graph/errors.js';
import { CATEGORIES, type Category, type OperationInput } from '../runs/catalog.js';
import { PreconditionFailedError } from '../runs/errors.js';
import type { Run } from '../runs/model.js';
import { BackupStore } from '../store/backup-store.js';
import { type ScheduleRunStatus } from '../store/schedule-store.js';
import { backUpPolicies, backupStore } from './backup-policies.js';
import { add, itemFailure, type ChunkResult, type CountDelta, type OperationExecutor } from './executor.js';
import { registerStartCheck, type StartCheckDeps, type StartPlan } from './start-checks.js';

type Input = OperationInput<'backup_schedule.run_now'>;

/** What this run's items did so far (kept in the cursor, so it matches the checkpointed counts). */
export interface Tally { succeeded: number; failed: number; skipped: number }

export type ScheduleRunCursor =
  | { phase: 'begin' }
  | { phase: 'list'; categories: Category[]; index: number; nextLink: string | null; keepLast: number; tally: Tally }
  | { phase: 'finish'; keepLast: number; tally: Tally };

export const unknownSchedule = (id: string) =>
  new PreconditionFailedError(`The backup schedule ${id} does not exist in this tenant.`, [{ path: 'input.scheduleId', message: 'unknown backup schedule' }]);

/** The start plan of a schedule run; the tick passes the due time it claimed. */
export async function planScheduleRun(tenantId: string, scheduleId: string, deps: StartCheckDeps, opts: { scheduledFor?: string } = {}): Promise<StartPlan> {
  const schedules = deps.stores.schedules;
  const schedule = await schedules.get(tenantId, scheduleId);
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
        backupSetId, retryOfRunId: null, failedItems: [], createdAt: run.createdAt, completedAt: null,
      }),
    ],
  };
}

registerStartCheck('backup_schedule.run_now', (tenantId, input: Input, deps) => planScheduleRun(tenantId, input.scheduleId, deps));

export const tallyOutcome = (t: Tally): Exclude<ScheduleRunStatus, 'queued' | 'running'> =>
  t.failed > 0 && t.succeeded === 0 && t.skipped === 0 ? 'failed' : t.failed > 0 ? 'partially_succeeded' : 'succeeded';

export const addTally = (t: Tally, c: CountDelta): Tally => ({
  succeeded: t.succeeded + (c.succeeded ?? 0), failed: t.failed + (c.failed ?? 0), skipped: t.skipped + (c.skipped ?? 0),
});

const contextOf = (run: Run) => run.context as { scheduleId: string; backupSetId: string };

export const backupScheduleRunNow: OperationExecutor<ScheduleRunCursor> = {
  type: 'backup_schedule.run_now',
  countNames: ['created', 'pruned'],
  initialCursor: () => ({ phase: 'begin' }),

  async processChunk(ctx, cursor): Promise<ChunkResult<ScheduleRunCursor>> {
    const { run } = ctx;
    const { scheduleId, backupSetId } = contextOf(run);
    const schedules = ctx.stores.schedules;

    if (cursor.phase === 'begin') {
      const schedule = await schedules.get(run.tenantId, scheduleId);
      if (!schedule) {
        await backupStore(ctx).finishSet(run.tenantId, backupSetId, 'failed', ctx.now().toISOString());
        throw new Error(`the backup schedule ${scheduleId} was deleted before its run began`);
      }
      await schedules.setScheduleRunStatus(run.tenantId, scheduleId, run.id, 'running', null);
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
        if (!(err instanceof GraphError) || (err.code !== 'graph_forbidden' && err.code !== 'graph_not_found')) throw err;
        await schedules.addFailedItems(run.tenantId, scheduleId, run.id, [`${category}/*`]);
        const counts: CountDelta = { total: 1, processed: 1, failed: 1 };
        return { cursor: { ...nextCategory, tally: addTally(cursor.tally, counts) }, done: false, counts, failures: [itemFailure(err, category)] };
      }
      const result = await backUpPolicies(ctx, graph, backupSetId, page.items.map((p) => ({ id: p.id, category })));
      await schedules.addFailedItems(run.tenantId, scheduleId, run.id, result.failedItems);
      const tally = addTally(cursor.tally, result.counts);
      const next: ScheduleRunCursor = page.nextLink ? { ...cursor, nextLink: page.nextLink, tally } : { ...nextCategory, tally };
      return { cursor: next, done: false, counts: result.counts, failures: result.failures };
    }

    // finish: settle the set, prune older sets (only after a usable backup), close the history entry.
    const outcome = tallyOutcome(cursor.tally);
    const now = ctx.now().toISOString();
    const sets = backupStore(ctx);
    await sets.finishSet(run.tenantId, backupSetId, outcome === 'failed' ? 'failed' : 'complete', now);
    const counts: CountDelta = {};
    if (outcome !== 'failed') add(counts, 'pruned', await pruneScheduleSets(sets, run.tenantId, scheduleId, backupSetId, cursor.keepLast));
    await schedules.setScheduleRunStatus(run.tenantId, scheduleId, run.id, outcome, now);
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

