/**
 * Inventory items (§3 inventory.sync): one item per Graph configuration object, kept after it
 * disappears from Graph as `deleted`. Keys from keys.ts; the sync rules live in
 * shared/operations/inventory-sync.ts.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys, tenantPk } from './keys.js';
import { TableClient, type Key, type Page } from './table-client.js';
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

export type StoreKey = Key;

const toItem = (i: InventoryItem) => ({ ...keys.inventoryItem(i.tenantId, i.category, i.objectId), kind: 'inventoryItem', ...i });

function fromItem(o: Record<string, any>): InventoryItem {
  return {
    tenantId: o.tenantId, category: o.category, objectId: o.objectId, displayName: o.displayName, odataType: o.odataType ?? null,
    lastModifiedDateTime: o.lastModifiedDateTime ?? null, fingerprint: o.fingerprint, deleted: o.deleted === true, deletedAt: o.deletedAt ?? null,
    firstSeenAt: o.firstSeenAt, lastSeenAt: o.lastSeenAt, lastSeenRunId: o.lastSeenRunId, lastChange: o.lastChange,
  };
}

export class InventoryStore {
  private readonly t: TableClient;

  constructor(doc: DynamoDBDocumentClient, table: string = tableName()) {
    this.t = new TableClient(doc, table);
  }

  async getMany(tenantId: string, category: string, objectIds: string[]): Promise<Map<string, InventoryItem>> {
    const found = await this.t.batchGet(objectIds.map((id) => keys.inventoryItem(tenantId, category, id)));
    return new Map(found.map((o) => [o.objectId as string, fromItem(o)]));
  }

  putMany(items: InventoryItem[]): Promise<void> {
    return this.t.batchPut(items.map(toItem));
  }

  /** One page of a category's stored items, in key order (the sync's deletion sweep walks these). */
  async pageOfCategory(tenantId: string, category: string, startKey: StoreKey | null, limit: number): Promise<{ items: InventoryItem[]; lastKey: StoreKey | null }> {
    const { items, lastKey } = await this.t.queryPage({
      key: { pk: tenantPk(tenantId), sk: { beginsWith: keys.inventoryPrefix(category) } },
      startKey,
      limit,
      consistent: true,
      map: fromItem,
    });
    return { items, lastKey };
  }

  /**
   * Marks an item deleted — only if no sync saw it since `seenBefore` (a concurrent sync of the same
   * category that saw it keeps it alive). Answers false when that condition stopped it.
   */
  async markDeleted(item: InventoryItem, runId: string, now: string, seenBefore: string): Promise<boolean> {
    return this.t.updateIf({
      Key: keys.inventoryItem(item.tenantId, item.category, item.objectId),
      UpdateExpression: 'SET deleted = :t, deletedAt = :now, lastSeenRunId = :run, lastChange = :deleted',
      ConditionExpression: 'lastSeenAt < :before AND deleted = :f',
      ExpressionAttributeValues: { ':t': true, ':f': false, ':now': now, ':run': runId, ':deleted': 'deleted', ':before': seenBefore },
    });
  }

  /** GET /tenants/{t}/inventory: one Query per page; deleted items hidden unless asked for. */
  async list(tenantId: string, opts: { category?: string; includeDeleted?: boolean; limit: number; cursor?: string }): Promise<Page<InventoryItem>> {
    const { items, nextCursor } = await this.t.queryPage({
      key: { pk: tenantPk(tenantId), sk: { beginsWith: keys.inventoryPrefix(opts.category) } },
      filter: opts.includeDeleted ? undefined : { expression: 'deleted = :f', values: { ':f': false } },
      limit: opts.limit,
      cursor: { scope: `inventory:${tenantId}:${opts.category ?? '*'}`, value: opts.cursor },
      map: fromItem,
    });
    return { items, nextCursor };
  }
}
