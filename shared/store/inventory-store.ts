/**
 * Inventory items (§3 inventory.sync): one item per Graph configuration object, kept after it
 * disappears from Graph as `deleted`. Keys from keys.ts; the sync rules live in
 * shared/operations/inventory-sync.ts.
 */
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { batchGet, batchPut } from './batch.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { keys, tenantPk } from './keys.js';
import type { Page } from './run-store.js';
import { tableName } from './table.js';

export type InventoryChange = 'created' | 'updated' | 'unchanged' | 'deleted';

export interface InventoryItem {
  tenantId: string;
  category: string;
  objectId: string;
  displayName: string;
  odataType: string | null;
  lastModifiedDateTime: string | null;
  /** hash of what the inventory shows of the object; a change makes the sync count it `updated` */
  fingerprint: string;
  deleted: boolean;
  deletedAt: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
  /** the sync run that last wrote this item, and what it did: lets a resumed run count a redone chunk the same way */
  lastSeenRunId: string;
  lastChange: InventoryChange;
}

export type StoreKey = Record<string, string>;

const toItem = (i: InventoryItem) => ({ ...keys.inventoryItem(i.tenantId, i.category, i.objectId), kind: 'inventoryItem', ...i });

function fromItem(o: Record<string, any>): InventoryItem {
  return {
    tenantId: o.tenantId, category: o.category, objectId: o.objectId, displayName: o.displayName, odataType: o.odataType ?? null,
    lastModifiedDateTime: o.lastModifiedDateTime ?? null, fingerprint: o.fingerprint, deleted: o.deleted === true, deletedAt: o.deletedAt ?? null,
    firstSeenAt: o.firstSeenAt, lastSeenAt: o.lastSeenAt, lastSeenRunId: o.lastSeenRunId, lastChange: o.lastChange,
  };
}

export class InventoryStore {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly table: string = tableName()) {}

  async getMany(tenantId: string, category: string, objectIds: string[]): Promise<Map<string, InventoryItem>> {
    const found = await batchGet(this.doc, this.table, objectIds.map((id) => keys.inventoryItem(tenantId, category, id)));
    return new Map(found.map((o) => [o.objectId as string, fromItem(o)]));
  }

  putMany(items: InventoryItem[]): Promise<void> {
    return batchPut(this.doc, this.table, items.map(toItem));
  }

  /** One page of a category's stored items, in key order (the sync's deletion sweep walks these). */
  async pageOfCategory(tenantId: string, category: string, startKey: StoreKey | null, limit: number): Promise<{ items: InventoryItem[]; lastKey: StoreKey | null }> {
    const out = await this.doc.send(new QueryCommand({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':p': keys.inventoryPrefix(category) },
      ExclusiveStartKey: startKey ?? undefined,
      Limit: limit,
      ConsistentRead: true,
    }));
    return { items: (out.Items ?? []).map(fromItem), lastKey: (out.LastEvaluatedKey as StoreKey | undefined) ?? null };
  }

  /**
   * Marks an item deleted — only if no sync saw it since `seenBefore` (a concurrent sync of the same
   * category that saw it keeps it alive). Answers false when that condition stopped it.
   */
  async markDeleted(item: InventoryItem, runId: string, now: string, seenBefore: string): Promise<boolean> {
    try {
      await this.doc.send(new UpdateCommand({
        TableName: this.table,
        Key: keys.inventoryItem(item.tenantId, item.category, item.objectId),
        UpdateExpression: 'SET deleted = :t, deletedAt = :now, lastSeenRunId = :run, lastChange = :deleted',
        ConditionExpression: 'lastSeenAt < :before AND deleted = :f',
        ExpressionAttributeValues: { ':t': true, ':f': false, ':now': now, ':run': runId, ':deleted': 'deleted', ':before': seenBefore },
      }));
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  /** GET /tenants/{t}/inventory: one Query per page; deleted items hidden unless asked for. */
  async list(tenantId: string, opts: { category?: string; includeDeleted?: boolean; limit: number; cursor?: string }): Promise<Page<InventoryItem>> {
    const scope = `inventory:${tenantId}:${opts.category ?? '*'}`;
    const out = await this.doc.send(new QueryCommand({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      FilterExpression: opts.includeDeleted ? undefined : 'deleted = :f',
      ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':p': keys.inventoryPrefix(opts.category), ...(opts.includeDeleted ? {} : { ':f': false }) },
      ExclusiveStartKey: decodeCursor(scope, opts.cursor),
      Limit: opts.limit,
    }));
    return { items: (out.Items ?? []).map(fromItem), nextCursor: encodeCursor(scope, out.LastEvaluatedKey) };
  }
}
