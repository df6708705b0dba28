/**
 * The directory-group cache (§3 directory_groups.sync): Graph groups copied into the table so the
 * console's group search and restore's group-mapping check stay DB-only. A group gone from Graph is
 * kept as `removed` (without its search attributes) so a resumed sync can recount it.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGet, batchPut } from './batch.js';
import { INDEXES, keys, tenantPk } from './keys.js';
import type { StoreKey } from './inventory-store.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { Page } from './run-store.js';
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
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly table: string = tableName()) {}

  putMany(groups: CachedGroup[]): Promise<void> {
    return batchPut(this.doc, this.table, groups.map(toItem));
  }

  /** The live cached groups among `groupIds` (restore's group-mapping check). */
  async getMany(tenantId: string, groupIds: string[]): Promise<Map<string, CachedGroup>> {
    const found = await batchGet(this.doc, this.table, groupIds.map((id) => keys.directoryGroup(tenantId, id)));
    return new Map(found.map(fromItem).filter((g) => !g.removed).map((g) => [g.groupId, g]));
  }

  async pageOfGroups(tenantId: string, startKey: StoreKey | null, limit: number): Promise<{ items: CachedGroup[]; lastKey: StoreKey | null }> {
    const out = await this.doc.send(new QueryCommand({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':p': keys.directoryGroupPrefix },
      ExclusiveStartKey: startKey ?? undefined,
      Limit: limit,
      ConsistentRead: true,
    }));
    return { items: (out.Items ?? []).map(fromItem), lastKey: (out.LastEvaluatedKey as StoreKey | undefined) ?? null };
  }

  /** Marks a group removed unless a sync saw it since `seenBefore`; answers false when that stopped it. */
  async markRemoved(group: CachedGroup, runId: string, now: string, seenBefore: string): Promise<boolean> {
    try {
      await this.doc.send(new UpdateCommand({
        TableName: this.table,
        Key: keys.directoryGroup(group.tenantId, group.groupId),
        UpdateExpression: 'SET removed = :t, removedAt = :now, lastSeenRunId = :run REMOVE lookupPk, lookupSk',
        ConditionExpression: 'lastSeenAt < :before AND removed = :f',
        ExpressionAttributeValues: { ':t': true, ':f': false, ':now': now, ':run': runId, ':before': seenBefore },
      }));
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  /** GET /tenants/{t}/groups?search=: prefix of displayName, case-insensitive, one Query on byLookup. */
  async searchByPrefix(tenantId: string, prefix: string, limit = 25): Promise<CachedGroup[]> {
    const lookup = keys.directoryGroupLookup(tenantId, prefix, '');
    const out = await this.doc.send(new QueryCommand({
      TableName: this.table,
      IndexName: 'byLookup',
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': INDEXES.byLookup.partitionKey, '#sk': INDEXES.byLookup.sortKey },
      ExpressionAttributeValues: { ':pk': lookup.lookupPk, ':prefix': lookup.lookupSk.slice(0, -1) },
      Limit: limit,
    }));
    return (out.Items ?? []).map(fromItem);
  }

  /** GET /tenants/{t}/groups: live groups by displayName (optionally a prefix), one Query per page on byLookup. */
  async list(tenantId: string, opts: { search?: string; limit: number; cursor?: string }): Promise<Page<CachedGroup>> {
    const lookup = keys.directoryGroupLookup(tenantId, opts.search ?? '', '');
    const prefix = lookup.lookupSk.slice(0, -1);
    const scope = `groups:${tenantId}:${prefix}`;
    const out = await this.doc.send(new QueryCommand({
      TableName: this.table,
      IndexName: 'byLookup',
      KeyConditionExpression: prefix ? '#pk = :pk AND begins_with(#sk, :prefix)' : '#pk = :pk',
      ExpressionAttributeNames: { '#pk': INDEXES.byLookup.partitionKey, ...(prefix ? { '#sk': INDEXES.byLookup.sortKey } : {}) },
      ExpressionAttributeValues: { ':pk': lookup.lookupPk, ...(prefix ? { ':prefix': prefix } : {}) },
      ExclusiveStartKey: decodeCursor(scope, opts.cursor),
      Limit: opts.limit,
    }));
    return { items: (out.Items ?? []).map(fromItem), nextCursor: encodeCursor(scope, out.LastEvaluatedKey) };
  }
}
