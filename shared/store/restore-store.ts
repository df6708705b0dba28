/**
 * Restore records (§3 restore.execute, adapter mode): one summary record per restore, and one item
 * row per restored item (issue 14, sizes).
 *
 *   RESTORE#<restoreId>                    the summary: status, selection, total, counts, completedAt
 *   RESTOREITEM#<restoreId>#<itemId>       one item's result (pending → restored | would_change | unchanged | failed)
 *
 * The summary is created in the same transaction as its run (a companion Put) and stays small
 * whatever the restore's size: a full restore of a 5,000-policy set no longer keeps 5,000 results
 * in one item (DynamoDB's item limit is 400 KB, attribute names included — developer guide, "Service,
 * account, and table quotas"). The worker first writes one `pending` row per item (BatchWriteItem,
 * 25 per call), which freezes the restore's items; then each item's result is written in ONE
 * TransactWriteItems with the summary's counters (`ADD counts.<status>`), so the counts always equal
 * the rows. Only one worker holds a run at a time and a restore's checkpoints never write the summary,
 * so these two-action transactions do not contend. Item rows carry the run's TTL, like the summary.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CompanionPut } from '../runs/ports.js';
import { CompanionConflictError } from './errors.js';
import { keys, tenantPk } from './keys.js';
import type { DomainRunStatus } from './run-rows.js';
import { TableClient, type Key, type Page } from './table-client.js';
import { tableName } from './table.js';

export type RestoreItemStatus = 'pending' | 'restored' | 'would_change' | 'unchanged' | 'failed';
/** The restore's status follows its run (the run's status while active, its outcome once completed). */
export type RestoreStatus = DomainRunStatus;

/** At most this many changed paths are kept per item (`changedPathCount` says how many there were): a policy diff is unbounded, an item row is not. */
export const MAX_CHANGED_PATHS = 100;

export interface RestoreItemResult {
  itemId: string;
  policyId: string;
  category: string;
  displayName: string;
  status: RestoreItemStatus;
  /** JSON paths where the backup differs from what Graph held before the restore (the first MAX_CHANGED_PATHS) */
  changedPaths: string[];
  /** how many paths differed (changedPaths keeps at most MAX_CHANGED_PATHS of them) */
  changedPathCount?: number;
  error: { code: string; message: string } | null;
  at: string | null;
}

export type RestoreCountName = 'restored' | 'wouldChange' | 'unchanged' | 'failed';
export type RestoreCounts = Record<RestoreCountName, number>;
const COUNT_OF: Record<Exclude<RestoreItemStatus, 'pending'>, RestoreCountName> = { restored: 'restored', would_change: 'wouldChange', unchanged: 'unchanged', failed: 'failed' };
export const zeroRestoreCounts = (): RestoreCounts => ({ restored: 0, wouldChange: 0, unchanged: 0, failed: 0 });

export interface RestoreRecord {
  id: string;
  tenantId: string;
  runId: string;
  backupSetId: string;
  dryRun: boolean;
  groupMapping: Record<string, string>;
  status: RestoreStatus;
  startedAt?: string | null;
  /** the items asked for (`input.itemIds`, at most 500, sorted); null: every item of the set */
  selection: string[] | null;
  /** the items to restore, known at start */
  total: number;
  /** results so far, by kind (exact: moved in the transaction that writes each item's result) */
  counts: RestoreCounts;
  createdAt: string;
  completedAt: string | null;
  initiator: { userId: string | null; name: string };
  /** the run's TTL (epoch seconds): the record describes the run and goes with it */
  expiresAt?: number;
}

const fromItem = (o: Record<string, any>): RestoreRecord => ({
  id: o.id, tenantId: o.tenantId, runId: o.runId, backupSetId: o.backupSetId, dryRun: o.dryRun === true, groupMapping: o.groupMapping ?? {},
  status: o.status, startedAt: o.startedAt ?? null, selection: o.selection ?? null, total: o.total ?? 0, counts: { ...zeroRestoreCounts(), ...(o.counts ?? {}) },
  createdAt: o.createdAt, completedAt: o.completedAt ?? null, initiator: o.initiator,
});

const resultFrom = (o: Record<string, any>): RestoreItemResult => ({
  itemId: o.itemId, policyId: o.policyId, category: o.category, displayName: o.displayName, status: o.status,
  changedPaths: o.changedPaths ?? [], changedPathCount: o.changedPathCount ?? (o.changedPaths ?? []).length, error: o.error ?? null, at: o.at ?? null,
});

/** The summary as the API answers it (its items come as pages next to it). */
export const toApiRestore = (r: RestoreRecord) => {
  const { selection: _s, expiresAt: _e, ...rest } = r;
  const done = r.counts.restored + r.counts.wouldChange + r.counts.unchanged + r.counts.failed;
  return { ...rest, counts: { ...r.counts, pending: Math.max(0, r.total - done) } };
};

export class RestoreStore {
  private readonly t: TableClient;

  constructor(doc: DynamoDBDocumentClient, table: string = tableName()) {
    this.t = new TableClient(doc, table);
  }

  /** The record's Put, for the run's start transaction: it exists exactly when the run does. */
  newRestorePut(r: RestoreRecord): CompanionPut {
    return { Item: { ...keys.restore(r.tenantId, r.id), kind: 'restore', ...r }, ConditionExpression: 'attribute_not_exists(pk)' };
  }

  async get(tenantId: string, restoreId: string): Promise<RestoreRecord | null> {
    return this.t.get(keys.restore(tenantId, restoreId), { kind: 'restore', consistent: true, map: fromItem });
  }

  /**
   * Writes `pending` rows for items (the worker's first phase), 25 per BatchWriteItem. A row is
   * keyed by the item, so a phase redone after a crash rewrites the same rows (still pending: no
   * result is written before this phase ends).
   */
  async putPending(r: Pick<RestoreRecord, 'tenantId' | 'id' | 'expiresAt'>, items: RestoreItemResult[]): Promise<void> {
    await this.t.batchPut(items.map((i) => ({ ...keys.restoreItem(r.tenantId, r.id, i.itemId), kind: 'restoreItem', restoreId: r.id, ...i, ...(r.expiresAt ? { expiresAt: r.expiresAt } : {}) })));
  }

  /** Which of `itemIds` already have a row (a prepare chunk redone after a crash writes only the others). */
  async existingItems(tenantId: string, restoreId: string, itemIds: string[]): Promise<Set<string>> {
    const found = await this.t.batchGet(itemIds.map((id) => keys.restoreItem(tenantId, restoreId, id)));
    return new Set(found.map((o) => o.itemId as string));
  }

  /** The number of items the worker froze (the set may have changed between start and claim). */
  async setTotal(tenantId: string, restoreId: string, total: number): Promise<void> {
    await this.t.updateIf({
      Key: keys.restore(tenantId, restoreId),
      UpdateExpression: 'SET #t = :t',
      ConditionExpression: 'attribute_exists(pk) AND #s IN (:queued, :running)',
      ExpressionAttributeNames: { '#t': 'total', '#s': 'status' },
      ExpressionAttributeValues: { ':t': total, ':queued': 'queued', ':running': 'running' },
    });
  }

  /** One page of a restore's item rows in item order: a signed cursor (API) or a raw start key (the worker). */
  async pageOfItems(tenantId: string, restoreId: string, opts: { limit: number; cursor?: string; startKey?: Key | null }): Promise<Page<RestoreItemResult> & { lastKey: Key | null }> {
    return this.t.queryPage({
      key: { pk: tenantPk(tenantId), sk: { beginsWith: keys.restoreItemPrefix(restoreId) } },
      limit: opts.limit,
      consistent: true,
      ...(opts.startKey !== undefined ? { startKey: opts.startKey } : { cursor: { scope: `restore-items:${tenantId}:${restoreId}`, value: opts.cursor } }),
      map: resultFrom,
    });
  }

  /**
   * Records one item's result and counts it on the summary, in one TransactWriteItems (2 actions):
   * the row must still be pending (a redone item is never counted twice) and the record unfinished
   * (once its run completed, the projection set the outcome in the run's terminal transaction: a late
   * worker writes nothing and learns so — false).
   */
  async recordItem(tenantId: string, restoreId: string, result: RestoreItemResult): Promise<'recorded' | 'already' | 'finished'> {
    if (result.status === 'pending') throw new Error('a result is never pending');
    const changedPathCount = result.changedPathCount ?? result.changedPaths.length;
    try {
      await this.t.transact([
        {
          name: 'restoreItem',
          op: {
            Update: {
              Key: keys.restoreItem(tenantId, restoreId, result.itemId),
              UpdateExpression: 'SET #s = :s, changedPaths = :p, changedPathCount = :n, #e = :e, #at = :at',
              ConditionExpression: 'attribute_exists(pk) AND #s = :pending',
              ExpressionAttributeNames: { '#s': 'status', '#e': 'error', '#at': 'at' },
              ExpressionAttributeValues: { ':s': result.status, ':p': result.changedPaths.slice(0, MAX_CHANGED_PATHS), ':n': changedPathCount, ':e': result.error, ':at': result.at, ':pending': 'pending' },
            },
          },
        },
        {
          name: 'restore',
          op: {
            Update: {
              Key: keys.restore(tenantId, restoreId),
              UpdateExpression: 'ADD #c.#k :one',
              ConditionExpression: 'attribute_exists(pk) AND #s IN (:queued, :running)',
              ExpressionAttributeNames: { '#c': 'counts', '#k': COUNT_OF[result.status], '#s': 'status' },
              ExpressionAttributeValues: { ':one': 1, ':queued': 'queued', ':running': 'running' },
            },
          },
        },
      ]);
      return 'recorded';
    } catch (err) {
      if (err instanceof CompanionConflictError) return err.item === 'restoreItem' ? 'already' : 'finished';
      throw err;
    }
  }
}
