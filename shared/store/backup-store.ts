/**
 * Backup sets and their items (§3 backup_set.add_policies, backup_schedule.*, §5 backup-sets).
 * A set is one item; each backed-up policy is one more item under the set (content as JSON text, like
 * policy versions). An item and the set's `itemCount` move together in one transaction, so a chunk
 * redone after a crash never counts an item twice.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CompanionPut } from '../runs/ports.js';
import { CompanionConflictError } from './errors.js';
import { INDEXES, keys, tenantPk } from './keys.js';
import { TableClient, type Key, type Page } from './table-client.js';
import { tableName } from './table.js';

/**
 * `in_progress` while a schedule run fills it; manual sets are `complete` from the start (add_policies only adds).
 * A schedule run's set is finished by its run's projection in the run's terminal transaction:
 * succeeded / partially_succeeded → complete, failed → failed, cancelled → cancelled.
 */
export type BackupSetStatus = 'in_progress' | 'complete' | 'failed' | 'cancelled';

export interface BackupSet {
  id: string;
  tenantId: string;
  name: string;
  status: BackupSetStatus;
  itemCount: number;
  createdAt: string;
  createdBy: { userId: string | null; name: string };
  /** set by a schedule run: the schedule and the run that made it */
  scheduleId: string | null;
  runId: string | null;
  completedAt: string | null;
}

export interface BackupItem {
  /** the policy id: one item per policy per set */
  id: string;
  tenantId: string;
  backupSetId: string;
  policyId: string;
  category: string;
  displayName: string;
  content: Record<string, unknown>;
  assignments: Array<{ id?: string; target: Record<string, unknown> }>;
  contentHash: string;
  capturedAt: string;
  /** the run that stored it */
  runId: string;
}

const setFrom = (o: Record<string, any>): BackupSet => ({
  id: o.id, tenantId: o.tenantId, name: o.name, status: o.status, itemCount: o.itemCount ?? 0, createdAt: o.createdAt,
  createdBy: o.createdBy, scheduleId: o.scheduleId ?? null, runId: o.runId ?? null, completedAt: o.completedAt ?? null,
});

const itemFrom = (o: Record<string, any>): BackupItem => ({
  id: o.id, tenantId: o.tenantId, backupSetId: o.backupSetId, policyId: o.policyId, category: o.category, displayName: o.displayName,
  content: JSON.parse(o.contentJson), assignments: JSON.parse(o.assignmentsJson), contentHash: o.contentHash, capturedAt: o.capturedAt, runId: o.runId,
});

/** An item as a set's page lists it: no content (GET …/items/{policyId} answers that). */
export type BackupItemSummary = Omit<BackupItem, 'content' | 'tenantId' | 'backupSetId'>;
const summaryFrom = (o: Record<string, any>): BackupItemSummary => ({
  id: o.id, policyId: o.policyId, category: o.category, displayName: o.displayName,
  assignments: JSON.parse(o.assignmentsJson), contentHash: o.contentHash, capturedAt: o.capturedAt, runId: o.runId,
});

/** An item as stored: content and assignments as JSON text (like policy versions). */
export function backupItemRow(item: BackupItem): Record<string, unknown> {
  const { content, assignments, ...meta } = item;
  return { ...keys.backupItem(item.tenantId, item.backupSetId, item.policyId), kind: 'backupItem', ...meta, contentJson: JSON.stringify(content), assignmentsJson: JSON.stringify(assignments) };
}

export function backupSetItem(set: BackupSet): Record<string, unknown> {
  return {
    ...keys.backupSet(set.tenantId, set.id),
    kind: 'backupSet',
    // Sparse: only a schedule's sets are in byLookup, so pruning reads just them.
    ...(set.scheduleId ? keys.scheduleSetLookup(set.tenantId, set.scheduleId, set.id) : {}),
    ...set,
  };
}

export class BackupStore {
  private readonly t: TableClient;

  constructor(doc: DynamoDBDocumentClient, table: string = tableName()) {
    this.t = new TableClient(doc, table);
  }

  /** The Put of a new set, for a transaction with the run that fills it (or on its own). */
  newSetPut(set: BackupSet): CompanionPut {
    return { Item: backupSetItem(set), ConditionExpression: 'attribute_not_exists(pk)' };
  }

  async createSet(set: BackupSet): Promise<void> {
    await this.t.transact([{ name: 'backupSet', op: { Put: this.newSetPut(set) } }]);
  }

  async getSet(tenantId: string, setId: string): Promise<BackupSet | null> {
    return this.t.get(keys.backupSet(tenantId, setId), { kind: 'backupSet', consistent: true, map: setFrom });
  }

  /** Newest first: set ids are ULIDs. */
  async listSets(tenantId: string, limit: number, cursor?: string): Promise<Page<BackupSet>> {
    const { items, nextCursor } = await this.t.queryPage({
      key: { pk: tenantPk(tenantId), sk: { beginsWith: keys.backupSetPrefix } },
      forward: false,
      limit,
      cursor: { scope: `backup-sets:${tenantId}`, value: cursor },
      map: setFrom,
    });
    return { items, nextCursor };
  }

  /** Drift's default baseline: the newest set that is complete and holds items (a manual or a schedule set). */
  async newestCompleteSet(tenantId: string): Promise<BackupSet | null> {
    // Sets are few per tenant (schedules prune): one page of the tenant's sets, newest first, is enough to find it.
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const { items, nextCursor } = await this.listSets(tenantId, 100, cursor);
      const hit = items.find((s) => s.status === 'complete' && s.itemCount > 0);
      if (hit) return hit;
      if (!nextCursor) return null;
      cursor = nextCursor;
    }
    return null;
  }

  /** The sets a schedule made, newest first. */
  async setsOfSchedule(tenantId: string, scheduleId: string): Promise<string[]> {
    const lookup = keys.scheduleSetLookup(tenantId, scheduleId, '');
    return this.t.queryAll({
      index: 'byLookup',
      key: { pkAttr: INDEXES.byLookup.partitionKey, pk: lookup.lookupPk },
      forward: false,
      map: (o) => o.id as string,
    });
  }

  async finishSet(tenantId: string, setId: string, status: Exclude<BackupSetStatus, 'in_progress'>, at: string): Promise<void> {
    await this.t.update({
      Key: keys.backupSet(tenantId, setId),
      UpdateExpression: 'SET #s = :s, completedAt = :at',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': status, ':at': at },
    });
  }

  async getItems(tenantId: string, setId: string, policyIds: string[]): Promise<Map<string, BackupItem>> {
    const found = await this.t.batchGet(policyIds.map((id) => keys.backupItem(tenantId, setId, id)));
    return new Map(found.map((o) => [o.policyId as string, itemFrom(o)]));
  }

  /** Which of `policyIds` are in the set (keys only: a start check reads no content). */
  async hasItems(tenantId: string, setId: string, policyIds: string[]): Promise<Set<string>> {
    const found = await this.t.batchGet(policyIds.map((id) => keys.backupItem(tenantId, setId, id)), { projection: ['policyId'] });
    return new Set(found.map((o) => o.policyId as string));
  }

  /** One item with its content, or null. */
  async getItem(tenantId: string, setId: string, policyId: string): Promise<BackupItem | null> {
    return this.t.get(keys.backupItem(tenantId, setId, policyId), { kind: 'backupItem', consistent: true, map: itemFrom });
  }

  /**
   * One page of a set's item summaries for the API (signed cursor): everything but the content, which
   * alone can take most of an item's 400 KB — a page of 100 summaries stays far below Lambda's 6 MB
   * response payload. One item's content: getItem.
   */
  async pageOfSummaries(tenantId: string, setId: string, limit: number, cursor?: string): Promise<Page<BackupItemSummary>> {
    const { items, nextCursor } = await this.t.queryPage({
      key: { pk: tenantPk(tenantId), sk: { beginsWith: keys.backupItemPrefix(setId) } },
      limit,
      consistent: true,
      cursor: { scope: `backup-items:${tenantId}:${setId}`, value: cursor },
      map: summaryFrom,
    });
    return { items, nextCursor };
  }

  /** One page of a set's items in key order (drift walks the baseline this way). */
  async pageOfItems(tenantId: string, setId: string, startKey: Key | null, limit: number): Promise<{ items: BackupItem[]; lastKey: Key | null }> {
    const { items, lastKey } = await this.t.queryPage({
      key: { pk: tenantPk(tenantId), sk: { beginsWith: keys.backupItemPrefix(setId) } },
      startKey,
      limit,
      consistent: true,
      map: itemFrom,
    });
    return { items, lastKey };
  }

  async listItems(tenantId: string, setId: string): Promise<BackupItem[]> {
    return this.t.queryAll({
      key: { pk: tenantPk(tenantId), sk: { beginsWith: keys.backupItemPrefix(setId) } },
      consistent: true,
      map: itemFrom,
    });
  }

  /**
   * Adds an item to its set and bumps the set's itemCount, in one transaction. Answers false when the
   * policy is already in the set (a concurrent add, or this chunk's first attempt before a crash).
   */
  async addItem(item: BackupItem): Promise<boolean> {
    try {
      await this.t.transact([
        {
          name: 'backupItem',
          op: {
            Put: {
              Item: backupItemRow(item),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        },
        {
          name: 'backupSet',
          op: {
            Update: {
              Key: keys.backupSet(item.tenantId, item.backupSetId),
              UpdateExpression: 'ADD itemCount :one',
              // A set pruned or never created takes no items.
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':one': 1 },
            },
          },
        },
      ]);
      return true;
    } catch (err) {
      if (err instanceof CompanionConflictError && err.item === 'backupItem') return false;
      throw err;
    }
  }

  /**
   * Stores an item WITHOUT touching its set (the executors' lanes): a single conditional Put, so
   * parallel lanes never write the same item. Answers false when the policy is already in the set.
   * The set's itemCount follows once per chunk (countChunk).
   */
  async putItem(item: BackupItem): Promise<boolean> {
    return this.t.putIfAbsent(backupItemRow(item));
  }

  /**
   * Adds a chunk's `n` new items to the set's itemCount, once per `chunkKey` (a chunk redone after a
   * crash finds its key in `countedChunks` and adds nothing). One UpdateItem per chunk instead of one
   * transaction per item: concurrent transactions on one item are cancelled with TransactionConflict
   * (API Reference, TransactWriteItems), and four lanes each ADDing to the set item collided.
   * Answers 'no_set' when the set is gone (pruned or never created).
   */
  async countChunk(tenantId: string, setId: string, chunkKey: string, n: number): Promise<'counted' | 'already' | 'no_set'> {
    const counted = await this.t.updateIf({
      Key: keys.backupSet(tenantId, setId),
      UpdateExpression: 'ADD itemCount :n, countedChunks :ck',
      ConditionExpression: 'attribute_exists(pk) AND NOT contains(countedChunks, :key)',
      ExpressionAttributeValues: { ':n': n, ':ck': new Set([chunkKey]), ':key': chunkKey },
    });
    if (counted) return 'counted';
    return (await this.getSet(tenantId, setId)) ? 'already' : 'no_set';
  }

  /** Deletes one item (an item stored into a set that was pruned meanwhile). */
  async deleteItem(tenantId: string, setId: string, policyId: string): Promise<void> {
    await this.t.deleteIfExists(keys.backupItem(tenantId, setId, policyId));
  }

  /** Deletes a set and its items (pruning). Items first, so a crash leaves a set that pruning finds again. */
  async deleteSet(tenantId: string, setId: string): Promise<void> {
    const items = await this.listItems(tenantId, setId);
    await this.t.batchDelete(items.map((i) => keys.backupItem(tenantId, setId, i.policyId)));
    await this.t.transact([{ name: 'backupSet', op: { Delete: { Key: keys.backupSet(tenantId, setId) } } }]);
  }
}
