/**
 * restore.execute (§3), adapter mode. The restore record (per-item results) is written in the same
 * transaction as the run; the run's `context.restoreId` points to it.
 *
 * Start check: restore-execute.definition.ts (DB only — never Graph).
 *
 * Worker: per item, read what Graph holds now and diff it with the backup (group ids translated by
 * `groupMapping`); `dryRun` stops there; otherwise a differing item is written back through the Graph
 * client the way its category requires (shared/graph/client.ts writePolicy). An item whose result is already recorded is not redone after a crash.
 */
import type { PolicyAssignment } from '../graph/client.js';
import type { Category } from '../runs/catalog.js';
import { type BackupItem } from '../store/backup-store.js';

import { type RestoreItemResult, type RestoreItemStatus, type RestoreRecord } from '../store/restore-store.js';
import { add, isDeferral, itemFailure, type ChunkResult, type CountDelta, type ExecutionContext, type OperationExecutor, type Tally } from './executor.js';
import { policyDiff } from './json-diff.js';
import { restoreExecuteStart } from './restore-execute.definition.js';
import { defineModule } from './module.js';

export type RestoreCursor = { index: number; tally: Tally };

const ITEMS_PER_CHUNK = 5;


/** Assignments with source group ids replaced by their mapped targets (unmapped ids stay as they are). */
export function translateAssignments(assignments: PolicyAssignment[], mapping: Record<string, string>): PolicyAssignment[] {
  return assignments.map((a) => {
    const groupId = a.target?.groupId;
    return typeof groupId === 'string' && mapping[groupId] ? { ...a, target: { ...a.target, groupId: mapping[groupId] } } : a;
  });
}

const COUNT_OF: Record<Exclude<RestoreItemStatus, 'pending'>, string> = { restored: 'restored', would_change: 'wouldChange', unchanged: 'unchanged', failed: 'failed' };

function countResult(counts: CountDelta, status: Exclude<RestoreItemStatus, 'pending'>) {
  add(counts, 'processed');
  add(counts, status === 'failed' ? 'failed' : 'succeeded');
  if (status !== 'failed') add(counts, COUNT_OF[status]);
}

const executor: OperationExecutor<RestoreCursor, 'restore.execute'> = {
  type: 'restore.execute',
  countNames: ['restored', 'wouldChange', 'unchanged'],
  initialCursor: () => ({ index: 0, tally: { succeeded: 0, failed: 0, skipped: 0 } }),

  async processChunk(ctx, cursor): Promise<ChunkResult<RestoreCursor>> {
    const { run, stores } = ctx;
    const { restoreId } = run.context as { restoreId: string };
    const restores = stores.restores;
    const record = await restores.get(run.tenantId, restoreId);
    if (!record) throw new Error(`restore record ${restoreId} is missing`);
    const slice = record.itemIds.slice(cursor.index, cursor.index + ITEMS_PER_CHUNK);
    const backups = await stores.backups.getItems(run.tenantId, record.backupSetId, slice);
    const counts: CountDelta = { total: slice.length };
    const failures = [];
    for (const itemId of slice) {
      const recorded = record.items[itemId];
      if (recorded && recorded.status !== 'pending') {
        countResult(counts, recorded.status);
        continue;
      }
      const result = await restoreItem(ctx, record, itemId, backups.get(itemId));
      // The record is finished only when its run completed (another path did it): stop writing.
      if (!(await restores.recordItem(run.tenantId, restoreId, result))) throw new Error(`restore ${restoreId} is already finished`);
      countResult(counts, result.status as Exclude<RestoreItemStatus, 'pending'>);
      if (result.error) failures.push({ ...result.error, itemId });
    }
    const tally = { succeeded: cursor.tally.succeeded + (counts.succeeded ?? 0), failed: cursor.tally.failed + (counts.failed ?? 0), skipped: 0 };
    const index = cursor.index + slice.length;
    const done = index >= record.itemIds.length;
    return { cursor: { index, tally }, done, counts, failures };
  },
};

async function restoreItem(ctx: ExecutionContext, record: RestoreRecord, itemId: string, backup: BackupItem | undefined): Promise<RestoreItemResult> {
  const base = record.items[itemId];
  const at = ctx.now().toISOString();
  if (!backup) {
    return { ...base, status: 'failed', at, error: { code: 'backup_item_missing', message: `backup item ${itemId} is no longer in set ${record.backupSetId}` } };
  }
  try {
    const graph = await ctx.graph();
    const wanted = { content: backup.content, assignments: translateAssignments(backup.assignments, record.groupMapping) };
    const current = await graph.getPolicy(backup.category as Category, backup.policyId);
    const paths = policyDiff(current, wanted);
    if (paths.length === 0) return { ...base, status: 'unchanged', changedPaths: [], at, error: null };
    if (record.dryRun) return { ...base, status: 'would_change', changedPaths: paths, at, error: null };
    await graph.writePolicy(backup.category as Category, backup.policyId, wanted, current);
    return { ...base, status: 'restored', changedPaths: paths, at, error: null };
  } catch (err) {
    // A wait past this invocation's budget: nothing is recorded, the chunk is redone in a continuation.
    if (isDeferral(err)) throw err;
    const f = itemFailure(err, itemId);
    return { ...base, status: 'failed', at, error: { code: f.code, message: f.message } };
  }
}

/** The restore.execute module: definition and start plan (restore-execute.definition.ts) and executor. */
export const restoreExecute = defineModule(restoreExecuteStart, executor);
