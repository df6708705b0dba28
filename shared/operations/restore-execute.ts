/**
 * restore.execute (§3), adapter mode. The restore record (per-item results) is written in the same
 * transaction as the run; the run's `context.restoreId` points to it.
 *
 * Start check: restore-execute.definition.ts (DB only — never Graph).
 *
 * Worker: per item, read what Graph holds now and diff it with the backup (group ids translated by
 * `groupMapping`); `dryRun` stops there; otherwise a differing item is written back through the Graph
 * client the way its category requires (shared/graph/client.ts writePolicy). An item whose result is already recorded is not redone after a crash.
 * Each item's result is its own row (restore-store.ts), written with the summary's counter in one transaction.
 */
import type { PolicyAssignment } from '../graph/client.js';
import type { Category } from '../runs/catalog.js';
import { type BackupItem } from '../store/backup-store.js';
import type { Key } from '../store/table-client.js';
import { type RestoreItemResult, type RestoreItemStatus, type RestoreRecord } from '../store/restore-store.js';
import { add, isDeferral, itemFailure, type ChunkResult, type CountDelta, type ExecutionContext, type OperationExecutor, type Tally } from './executor.js';
import { policyDiff } from './json-diff.js';
import { restoreExecuteStart } from './restore-execute.definition.js';
import { defineModule } from './module.js';

/**
 * `prepare`: write one pending row per item (the selection, or the set's items in key order), which
 * freezes the restore's items; `restore`: walk those rows in key order, a few items per chunk.
 */
export type RestoreCursor =
  | { phase: 'prepare'; index: number; after: Key | null; count: number }
  | { phase: 'restore'; after: Key | null; tally: Tally };

const ITEMS_PER_CHUNK = 5;
/** pending rows written per prepare chunk (4 BatchWriteItem calls of 25) */
const PREPARE_PER_CHUNK = 100;

/** Assignments with source group ids replaced by their mapped targets (unmapped ids stay as they are). */
export function translateAssignments(assignments: PolicyAssignment[], mapping: Record<string, string>): PolicyAssignment[] {
  return assignments.map((a) => {
    const groupId = a.target?.groupId;
    return typeof groupId === 'string' && mapping[groupId] ? { ...a, target: { ...a.target, groupId: mapping[groupId] } } : a;
  });
}

function countResult(counts: CountDelta, status: Exclude<RestoreItemStatus, 'pending'>) {
  add(counts, 'processed');
  add(counts, status === 'failed' ? 'failed' : 'succeeded');
  if (status !== 'failed') add(counts, status === 'would_change' ? 'wouldChange' : status);
}

const pendingResult = (i: Pick<BackupItem, 'id' | 'policyId' | 'category' | 'displayName'>): RestoreItemResult => ({
  itemId: i.id, policyId: i.policyId, category: i.category, displayName: i.displayName, status: 'pending', changedPaths: [], changedPathCount: 0, error: null, at: null,
});

const executor: OperationExecutor<RestoreCursor, 'restore.execute'> = {
  type: 'restore.execute',
  countNames: ['restored', 'wouldChange', 'unchanged'],
  initialCursor: () => ({ phase: 'prepare', index: 0, after: null, count: 0 }),

  async processChunk(ctx, cursor): Promise<ChunkResult<RestoreCursor>> {
    const { run, stores } = ctx;
    const { restoreId } = run.context as { restoreId: string };
    const restores = stores.restores;
    const record = await restores.get(run.tenantId, restoreId);
    if (!record) throw new Error(`restore record ${restoreId} is missing`);
    if (cursor.phase === 'prepare') return prepare(ctx, record, cursor);

    const page = await restores.pageOfItems(run.tenantId, restoreId, { limit: ITEMS_PER_CHUNK, startKey: cursor.after });
    const todo = page.items.filter((i) => i.status === 'pending').map((i) => i.itemId);
    const backups = todo.length ? await stores.backups.getItems(run.tenantId, record.backupSetId, todo) : new Map<string, BackupItem>();
    const counts: CountDelta = { total: page.items.length };
    const failures = [];
    for (const row of page.items) {
      // A result already recorded (a chunk redone after a crash) is counted as it was, not redone.
      if (row.status !== 'pending') {
        countResult(counts, row.status);
        continue;
      }
      const result = await restoreItem(ctx, record, row, backups.get(row.itemId));
      const written = await restores.recordItem(run.tenantId, restoreId, result);
      // The record is finished only when its run completed (another path did it): stop writing.
      if (written === 'finished') throw new Error(`restore ${restoreId} is already finished`);
      countResult(counts, result.status as Exclude<RestoreItemStatus, 'pending'>);
      if (result.error) failures.push({ ...result.error, itemId: row.itemId });
    }
    const tally = { succeeded: cursor.tally.succeeded + (counts.succeeded ?? 0), failed: cursor.tally.failed + (counts.failed ?? 0), skipped: 0 };
    return { cursor: { phase: 'restore', after: page.lastKey, tally }, done: page.lastKey === null, counts, failures };
  },
};

/** One prepare chunk: up to PREPARE_PER_CHUNK pending rows, from the selection or the set's next page. */
async function prepare(ctx: ExecutionContext, record: RestoreRecord, cursor: Extract<RestoreCursor, { phase: 'prepare' }>): Promise<ChunkResult<RestoreCursor>> {
  const { run, stores } = ctx;
  let items: BackupItem[];
  let next: Extract<RestoreCursor, { phase: 'prepare' }>;
  let last: boolean;
  if (record.selection) {
    const slice = record.selection.slice(cursor.index, cursor.index + PREPARE_PER_CHUNK);
    const found = await stores.backups.getItems(run.tenantId, record.backupSetId, slice);
    // An item pruned since the start check still gets its row: it fails as backup_item_missing.
    items = slice.map((id) => found.get(id) ?? ({ id, policyId: id, category: 'unknown', displayName: id } as BackupItem));
    last = cursor.index + slice.length >= record.selection.length;
    next = { ...cursor, index: cursor.index + slice.length };
  } else {
    const page = await stores.backups.pageOfItems(run.tenantId, record.backupSetId, cursor.after, PREPARE_PER_CHUNK);
    items = page.items;
    last = page.lastKey === null;
    next = { ...cursor, after: page.lastKey };
  }
  // Rows already there (this chunk redone after a crash, maybe past results) are left as they are.
  const existing = items.length ? await stores.restores.existingItems(run.tenantId, record.id, items.map((i) => i.id)) : new Set<string>();
  await stores.restores.putPending(record, items.filter((i) => !existing.has(i.id)).map(pendingResult));
  const count = cursor.count + items.length;
  if (!last) return { cursor: { ...next, count }, done: false, counts: {} };
  if (count !== record.total) await stores.restores.setTotal(run.tenantId, record.id, count);
  if (count === 0) return { cursor: { phase: 'restore', after: null, tally: { succeeded: 0, failed: 0, skipped: 0 } }, done: true, counts: {} };
  return { cursor: { phase: 'restore', after: null, tally: { succeeded: 0, failed: 0, skipped: 0 } }, done: false, counts: {} };
}

async function restoreItem(ctx: ExecutionContext, record: RestoreRecord, base: RestoreItemResult, backup: BackupItem | undefined): Promise<RestoreItemResult> {
  const itemId = base.itemId;
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
    if (record.dryRun) return { ...base, status: 'would_change', changedPaths: paths, changedPathCount: paths.length, at, error: null };
    await graph.writePolicy(backup.category as Category, backup.policyId, wanted, current);
    return { ...base, status: 'restored', changedPaths: paths, changedPathCount: paths.length, at, error: null };
  } catch (err) {
    // A wait past this invocation's budget: nothing is recorded, the chunk is redone in a continuation.
    if (isDeferral(err)) throw err;
    const f = itemFailure(err, itemId);
    return { ...base, status: 'failed', at, error: { code: f.code, message: f.message } };
  }
}

/** The restore.execute module: definition and start plan (restore-execute.definition.ts) and executor. */
export const restoreExecute = defineModule(restoreExecuteStart, executor);
