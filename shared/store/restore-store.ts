/**
 * Restore records (§3 restore.execute, adapter mode): one record per restore with a result per item.
 * The record is created in the same transaction as its run (a companion Put); the worker then fills
 * in each item's result, one item at a time, so a redone chunk simply rewrites the same results.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CompanionPut } from '../runs/ports.js';
import { keys } from './keys.js';
import type { DomainRunStatus } from './run-rows.js';
import { TableClient } from './table-client.js';
import { tableName } from './table.js';

export type RestoreItemStatus = 'pending' | 'restored' | 'would_change' | 'unchanged' | 'failed';
/** The restore's status follows its run (the run's status while active, its outcome once completed). */
export type RestoreStatus = DomainRunStatus;

export interface RestoreItemResult {
  itemId: string;
  policyId: string;
  category: string;
  displayName: string;
  status: RestoreItemStatus;
  /** JSON paths where the backup differs from what Graph held before the restore */
  changedPaths: string[];
  error: { code: string; message: string } | null;
  at: string | null;
}

export interface RestoreRecord {
  id: string;
  tenantId: string;
  runId: string;
  backupSetId: string;
  dryRun: boolean;
  groupMapping: Record<string, string>;
  status: RestoreStatus;
  startedAt?: string | null;
  /** the items in the order the worker restores them */
  itemIds: string[];
  items: Record<string, RestoreItemResult>;
  createdAt: string;
  completedAt: string | null;
  initiator: { userId: string | null; name: string };
  /** the run's TTL (epoch seconds): the record describes the run and goes with it */
  expiresAt?: number;
}

const fromItem = (o: Record<string, any>): RestoreRecord => ({
  id: o.id, tenantId: o.tenantId, runId: o.runId, backupSetId: o.backupSetId, dryRun: o.dryRun === true, groupMapping: o.groupMapping ?? {},
  status: o.status, startedAt: o.startedAt ?? null, itemIds: o.itemIds ?? [], items: o.items ?? {}, createdAt: o.createdAt, completedAt: o.completedAt ?? null, initiator: o.initiator,
});

/** The record as the API answers it: items as a list, in restore order. */
export const toApiRestore = (r: RestoreRecord) => {
  const { itemIds, items, expiresAt: _e, ...rest } = r;
  return { ...rest, items: itemIds.map((id) => items[id]).filter(Boolean) };
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
   * Records one item's result. Only while the record is unfinished: once its run completed (the
   * projection set the outcome in the run's terminal transaction) a late worker writes nothing and
   * learns so (false).
   */
  async recordItem(tenantId: string, restoreId: string, result: RestoreItemResult): Promise<boolean> {
    return this.t.updateIf({
      Key: keys.restore(tenantId, restoreId),
      UpdateExpression: 'SET #items.#id = :r',
      ConditionExpression: 'attribute_exists(pk) AND #s IN (:queued, :running)',
      ExpressionAttributeNames: { '#items': 'items', '#id': result.itemId, '#s': 'status' },
      ExpressionAttributeValues: { ':r': result, ':queued': 'queued', ':running': 'running' },
    });
  }
}
