/**
 * backup_schedule.retry (§3): re-attempt only the items that failed in an earlier run_now run of the
 * schedule, into that run's backup set. The failed items come from the schedule's history entry
 * (complete, unlike the run's 50 stored failures).
 *
 * Start check (422): the schedule exists; the run exists, is a run_now run of THAT schedule, and
 * ended failed or partially_succeeded.
 */
import { GraphError } from '../graph/errors.js';
import type { Category, OperationInput } from '../runs/catalog.js';
import { PreconditionFailedError } from '../runs/errors.js';
import type { Run, RunFailure } from '../runs/model.js';



import { backUpPolicies, backupStore, parseFailedItem, type PolicyRef } from './backup-policies.js';
import { addTally, tallyOutcome, unknownSchedule, type Tally } from './backup-schedule-run.js';
import { add, itemFailure, type ChunkResult, type OperationExecutor } from './executor.js';
import { registerStartCheck } from './start-checks.js';

type Input = OperationInput<'backup_schedule.retry'>;
export type RetryCursor = { index: number; tally: Tally };

const ENTRIES_PER_CHUNK = 10;

const refused = (message: string) => new PreconditionFailedError(message, [{ path: 'input.runId', message }]);

registerStartCheck('backup_schedule.retry', async (tenantId, input: Input, deps) => {
  const schedules = deps.stores.schedules;
  if (!(await schedules.get(tenantId, input.scheduleId))) throw unknownSchedule(input.scheduleId);
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
      backupSetId: entry.backupSetId, retryOfRunId: input.runId, failedItems: [], createdAt: run.createdAt, completedAt: null,
    })],
  };
});

export const backupScheduleRetry: OperationExecutor<RetryCursor> = {
  type: 'backup_schedule.retry',
  countNames: ['created'],
  initialCursor: () => ({ index: 0, tally: { succeeded: 0, failed: 0, skipped: 0 } }),

  async processChunk(ctx, cursor): Promise<ChunkResult<RetryCursor>> {
    const { run } = ctx;
    const { scheduleId, backupSetId, retryOfRunId } = run.context as { scheduleId: string; backupSetId: string; retryOfRunId: string };
    const schedules = ctx.stores.schedules;
    if (cursor.index === 0) await schedules.setScheduleRunStatus(run.tenantId, scheduleId, run.id, 'running', null);
    const earlier = await schedules.getScheduleRun(run.tenantId, scheduleId, retryOfRunId);
    const entries = earlier?.failedItems ?? [];
    const slice = entries.slice(cursor.index, cursor.index + ENTRIES_PER_CHUNK);
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
        if (!(err instanceof GraphError) || (err.code !== 'graph_forbidden' && err.code !== 'graph_not_found')) throw err;
        unlisted.push(itemFailure(err, category));
      }
    }
    const result = await backUpPolicies(ctx, graph, backupSetId, refs);
    for (const f of unlisted) {
      for (const k of ['total', 'processed', 'failed']) add(result.counts, k);
      result.failures.push(f);
      result.failedItems.push(`${f.itemId}/*`);
    }
    await schedules.addFailedItems(run.tenantId, scheduleId, run.id, result.failedItems);
    const tally = addTally(cursor.tally, result.counts);
    const index = cursor.index + slice.length;
    const done = index >= entries.length;
    if (done) {
      const outcome = tallyOutcome(tally);
      const now = ctx.now().toISOString();
      // A set whose first run backed up nothing becomes usable once a retry fills it.
      const set = await backupStore(ctx).getSet(run.tenantId, backupSetId);
      if (set?.status === 'failed' && tally.succeeded > 0) await backupStore(ctx).finishSet(run.tenantId, backupSetId, 'complete', now);
      await schedules.setScheduleRunStatus(run.tenantId, scheduleId, run.id, outcome, now);
    }
    return { cursor: { index, tally }, done, counts: result.counts, failures: result.failures };
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
