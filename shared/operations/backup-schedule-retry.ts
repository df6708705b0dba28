/**
 * backup_schedule.retry (§3): re-attempt only the items that failed in an earlier run_now run of the
 * schedule, into that run's backup set. The failed items come from that run's failed-item rows
 * (complete, unlike the run's 50 stored failures), read a page per chunk.
 *
 * Start check (backup-schedule-retry.definition.ts, 422): the schedule exists; the run exists, is a run_now run of THAT schedule, and
 * ended failed or partially_succeeded.
 */
import type { Category } from '../runs/catalog.js';
import type { RunFailure } from '../runs/model.js';
import { epochSeconds } from '../store/conditions.js';
import type { Key } from '../store/table-client.js';
import { backUpPolicies, backupStore, parseFailedItem, type PolicyRef } from './backup-policies.js';
import { add, addTally, categoryUnavailable, type ChunkResult, type OperationExecutor, type Tally } from './executor.js';
import { backupScheduleRetryStart } from './backup-schedule-retry.definition.js';
import { defineModule } from './module.js';

/** `after`: the last failed-item row of the earlier run read so far (its rows are walked in key order). */
export type RetryCursor = { after: Key | null; tally: Tally };

const ENTRIES_PER_CHUNK = 10;


const executor: OperationExecutor<RetryCursor, 'backup_schedule.retry'> = {
  type: 'backup_schedule.retry',
  countNames: ['created'],
  initialCursor: () => ({ after: null, tally: { succeeded: 0, failed: 0, skipped: 0 } }),

  async processChunk(ctx, cursor): Promise<ChunkResult<RetryCursor>> {
    const { run } = ctx;
    const { scheduleId, backupSetId, retryOfRunId } = run.context as { scheduleId: string; backupSetId: string; retryOfRunId: string };
    const schedules = ctx.stores.schedules;
    const { items: slice, lastKey } = await schedules.failedItemsPage(run.tenantId, scheduleId, retryOfRunId, cursor.after, ENTRIES_PER_CHUNK);
    const graph = await ctx.graph();
    // `<category>/*`: listing the category failed last time, so every policy in it is re-attempted (those already in the set are skipped).
    const refs: PolicyRef[] = [];
    const unlisted: RunFailure[] = [];
    for (const entry of slice) {
      const { category, id } = parseFailedItem(entry);
      if (id !== '*' || !category) {
        refs.push({ id, category });
        continue;
      }
      try {
        refs.push(...(await listCategory(graph, category)));
      } catch (err) {
        const failure = categoryUnavailable(err, category);
        if (!failure) throw err;
        unlisted.push(failure);
      }
    }
    const result = await backUpPolicies(ctx, graph, backupSetId, refs);
    for (const f of unlisted) {
      for (const k of ['total', 'processed', 'failed']) add(result.counts, k);
      result.failures.push(f);
      result.failedItems.push(`${f.itemId}/*`);
    }
    await schedules.addFailedItems(run.tenantId, scheduleId, run.id, result.failedItems, epochSeconds(run.expiresAt));
    const tally = addTally(cursor.tally, result.counts);
    const done = lastKey === null;
    if (done) {
      const now = ctx.now().toISOString();
      // A set whose first run backed up nothing becomes usable once a retry fills it.
      const set = await backupStore(ctx).getSet(run.tenantId, backupSetId);
      if (set?.status === 'failed' && tally.succeeded > 0) await backupStore(ctx).finishSet(run.tenantId, backupSetId, 'complete', now);
      // The history row is finished by the run's projection, in the run's terminal transaction.
    }
    return { cursor: { after: lastKey, tally }, done, counts: result.counts, failures: result.failures };
  },
};

async function listCategory(graph: Awaited<ReturnType<import('./executor.js').ExecutionContext['graph']>>, category: Category): Promise<PolicyRef[]> {
  const refs: PolicyRef[] = [];
  let nextLink: string | null = null;
  do {
    const page = await graph.listPolicies(category, nextLink);
    refs.push(...page.items.map((p) => ({ id: p.id, category })));
    nextLink = page.nextLink;
  } while (nextLink);
  return refs;
}

/** The backup_schedule.retry module: definition and start plan (backup-schedule-retry.definition.ts) and executor. */
export const backupScheduleRetry = defineModule(backupScheduleRetryStart, executor);
