/**
 * The directory-group cache (§3 directory_groups.sync): Graph groups copied into the table so the
 * console's group search and restore's group-mapping check stay DB-only. A group gone from Graph is
 * kept as `removed` (without its search attributes) so a resumed sync can recount it.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { INDEXES, keys, tenantPk } from './keys.js';
import { TableClient, type Key as StoreKey, type Page } from './table-client.js';
import { tableName } from './table.js';

export interface CachedGroup {
  tenantId: string;
  groupId: string;
  displayName: string;
  mail: string | null;
  description: string | null;
  securityEnabled: boolean;
  mailEnabled: boolean;
  lastSeenAt: string;
  lastSeenRunId: string;
  removed: boolean;
  removedAt: string | null;
}

const toItem = (g: CachedGroup) => ({
  ...keys.directoryGroup(g.tenantId, g.groupId),
  kind: 'directoryGroup',
  // Only live groups are in the byLookup index: a removed one never shows up in a search.
  ...(g.removed ? {} : keys.directoryGroupLookup(g.tenantId, g.displayName, g.groupId)),
  ...g,
});

const fromItem = (o: Record<string, any>): CachedGroup => ({
  tenantId: o.tenantId, groupId: o.groupId, displayName: o.displayName, mail: o.mail ?? null, description: o.description ?? null,
  securityEnabled: o.securityEnabled === true, mailEnabled: o.mailEnabled === true, lastSeenAt: o.lastSeenAt, lastSeenRunId: o.lastSeenRunId,
  removed: o.removed === true, removedAt: o.removedAt ?? null,
});

export class GroupCacheStore {
  private readonly t: TableClient;

  constructor(doc: DynamoDBDocumentClient, table: string = tableName()) {
    this.t = new TableClient(doc, table);
  }

  putMany(groups: CachedGroup[]): Promise<void> {
    return this.t.batchPut(groups.map(toItem));
  }

  /** The live cached groups among `groupIds` (restore's group-mapping check). */
  async getMany(tenantId: string, groupIds: string[]): Promise<Map<string, CachedGroup>> {
    const found = await this.t.batchGet(groupIds.map((id) => keys.directoryGroup(tenantId, id)));
    return new Map(found.map(fromItem).filter((g) => !g.removed).map((g) => [g.groupId, g]));
  }

  async pageOfGroups(tenantId: string, startKey: StoreKey | null, limit: number): Promise<{ items: CachedGroup[]; lastKey: StoreKey | null }> {
    const { items, lastKey } = await this.t.queryPage({
      key: { pk: tenantPk(tenantId), sk: { beginsWith: keys.directoryGroupPrefix } },
      startKey,
      limit,
      consistent: true,
      map: fromItem,
    });
    return { items, lastKey };
  }

  /** Marks a group removed unless a sync saw it since `seenBefore`; answers false when that stopped it. */
  async markRemoved(group: CachedGroup, runId: string, now: string, seenBefore: string): Promise<boolean> {
    return this.t.updateIf({
      Key: keys.directoryGroup(group.tenantId, group.groupId),
      UpdateExpression: 'SET removed = :t, removedAt = :now, lastSeenRunId = :run REMOVE lookupPk, lookupSk',
      ConditionExpression: 'lastSeenAt < :before AND removed = :f',
      ExpressionAttributeValues: { ':t': true, ':f': false, ':now': now, ':run': runId, ':before': seenBefore },
    });
  }

  /** GET /tenants/{t}/groups?search=: prefix of displayName, case-insensitive, one Query on byLookup. */
  async searchByPrefix(tenantId: string, prefix: string, limit = 25): Promise<CachedGroup[]> {
    const lookup = keys.directoryGroupLookup(tenantId, prefix, '');
    const { items } = await this.t.queryPage({
      index: 'byLookup',
      key: { pkAttr: INDEXES.byLookup.partitionKey, pk: lookup.lookupPk, skAttr: INDEXES.byLookup.sortKey, sk: { beginsWith: lookup.lookupSk.slice(0, -1) } },
      limit,
      map: fromItem,
    });
    return items;
  }

  /** GET /tenants/{t}/groups: live groups by displayName (optionally a prefix), one Query per page on byLookup. */
  async list(tenantId: string, opts: { search?: string; limit: number; cursor?: string }): Promise<Page<CachedGroup>> {
    const lookup = keys.directoryGroupLookup(tenantId, opts.search ?? '', '');
    const prefix = lookup.lookupSk.slice(0, -1);
    const { items, nextCursor } = await this.t.queryPage({
      index: 'byLookup',
      key: { pkAttr: INDEXES.byLookup.partitionKey, pk: lookup.lookupPk, ...(prefix ? { skAttr: INDEXES.byLookup.sortKey, sk: { beginsWith: prefix } } : {}) },
      limit: opts.limit,
      cursor: { scope: `groups:${tenantId}:${prefix}`, value: opts.cursor },
      map: fromItem,
    });
    return { items, nextCursor };
  }
}
