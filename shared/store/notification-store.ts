/**
 * The notification repository: a user's in-app notifications live in the user's partition
 * (pk=USER#u), so a caller can only ever read or mark their own (SPEC §5, §7).
 *
 *   USER#alice / NOTIF#<ulid>                    the notification (newest first by its ULID)
 *   USER#alice / NOTIFKEY#<runId>#<kind>         "this (run, kind) was already notified"
 *
 * Both are written in one transaction whose marker condition makes duplicated events harmless.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Notification, NotificationKind } from '../notifications/model.js';
import { keys, userPk } from './keys.js';
import { tableName } from './table.js';
import { epochSeconds } from './conditions.js';
import { TableClient, type Page } from './table-client.js';

export interface NotificationFilter {
  tenantId?: string;
  unreadOnly?: boolean;
  /**
   * Only notifications of these tenants (the caller's memberships NOW): a user removed from a tenant
   * no longer lists its notifications. Empty: none at all. Unset: no such restriction.
   */
  memberOf?: readonly string[];
}

/** DynamoDB's IN takes at most 100 operands; beyond that the membership filter is applied in code. */
const MAX_IN_OPERANDS = 100;

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
/** A filtered page may need more than one Query to fill; never more than this many. */
const MAX_QUERIES_PER_PAGE = 5;


// The item's `kind` says what the item is ('notification'); the notification's own kind
// (run.queued / run.completed) is stored as `notificationKind`.
function toNotificationItem(userId: string, n: Notification, expiresAt: string): Record<string, unknown> {
  const { kind, readAt, ...rest } = n;
  return {
    ...keys.notification(userId, n.id),
    kind: 'notification',
    userId,
    ...rest,
    notificationKind: kind,
    ...(readAt ? { readAt } : {}),
    expiresAt: epochSeconds(expiresAt),
  };
}

function fromNotificationItem(item: Record<string, any>): Notification {
  return {
    id: item.id,
    tenantId: item.tenantId,
    runId: item.runId,
    kind: item.notificationKind as NotificationKind,
    title: item.title,
    body: item.body,
    ...(item.outcome ? { outcome: item.outcome } : {}),
    viewUrl: item.viewUrl,
    createdAt: item.createdAt,
    readAt: item.readAt ?? null,
  };
}

export class NotificationStore {
  private readonly t: TableClient;

  constructor(
    doc: DynamoDBDocumentClient,
    table: string = tableName(),
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.t = new TableClient(doc, table);
  }

  /**
   * Writes `notification` for `userId` unless one was already written for its (run, kind).
   * Answers whether this call created it and the id of the one that exists (learnt from the
   * marker's ALL_OLD image on a duplicate, without a second read).
   */
  async putOnce(userId: string, notification: Notification, expiresAt: string): Promise<{ created: boolean; notificationId: string }> {
    const marker = keys.notificationOnce(userId, notification.runId, notification.kind);
    // The marker (keyDoesNotExist): the first event for this (run, kind) wins; duplicates stop here.
    const existing = await this.t.putUnique(
      {
        name: 'notificationKey',
        Item: { ...marker, kind: 'notificationKey', userId, runId: notification.runId, notificationKind: notification.kind, notificationId: notification.id, expiresAt: epochSeconds(expiresAt) },
      },
      [{ name: 'notification', op: { Put: { Item: toNotificationItem(userId, notification, expiresAt), ConditionExpression: 'attribute_not_exists(pk)' } } }],
    );
    if (!existing) return { created: true, notificationId: notification.id };
    return { created: false, notificationId: typeof existing.notificationId === 'string' ? existing.notificationId : 'unknown' };
  }

  /** One page of the user's notifications, newest first; expired ones are hidden (TTL lags). */
  async listForUser(userId: string, filter: NotificationFilter, limit: number, cursor?: string): Promise<Page<Notification>> {
    const scope = `notifications:${userId}:${filter.tenantId ?? '*'}:${filter.unreadOnly ? 'unread' : 'all'}`;
    const names: Record<string, string> = { '#exp': 'expiresAt' };
    const values: Record<string, unknown> = { ':now': Math.floor(this.clock().getTime() / 1000) };
    const conditions = ['#exp > :now'];
    if (filter.tenantId !== undefined) {
      names['#tenant'] = 'tenantId';
      values[':tenant'] = filter.tenantId;
      conditions.push('#tenant = :tenant');
    }
    if (filter.unreadOnly) {
      names['#readAt'] = 'readAt';
      conditions.push('attribute_not_exists(#readAt)');
    }
    const members = filter.memberOf ? new Set(filter.memberOf) : undefined;
    if (members && members.size === 0) return { items: [], nextCursor: null };
    if (members && members.size <= MAX_IN_OPERANDS) {
      names['#member'] = 'tenantId';
      const operands = [...members].map((t, i) => { values[`:m${i}`] = t; return `:m${i}`; });
      conditions.push(`#member IN (${operands.join(', ')})`);
    }
    // A filter can leave a Query's page short: the helper queries on until the page is full, the
    // list ends or the read budget is spent. Beyond DynamoDB's IN operands, membership is checked here.
    const { items, nextCursor } = await this.t.queryPage({
      key: { pk: userPk(userId), sk: { beginsWith: keys.notificationPrefix } },
      filter: { expression: conditions.join(' AND '), names, values },
      forward: false,
      limit,
      maxPages: MAX_QUERIES_PER_PAGE,
      cursor: { scope, value: cursor },
      map: fromNotificationItem,
    });
    return { items: members ? items.filter((n) => members.has(n.tenantId)) : items, nextCursor };
  }

  /**
   * Marks the user's notification read (idempotent: the first read time stays). Answers false when
   * the user has no such notification (unknown, someone else's, or expired).
   */
  /**
   * Marks one of the user's notifications read — only while the user is still a member of its tenant
   * (`memberOf`, the caller's current memberships), so a notification hidden from the list after a
   * removal cannot be touched either: it answers like an unknown one.
   */
  async markRead(userId: string, notificationId: string, memberOf: readonly string[]): Promise<boolean> {
    if (!ULID.test(notificationId) || memberOf.length === 0) return false;
    const now = this.clock();
    const names: Record<string, string> = { '#readAt': 'readAt', '#exp': 'expiresAt', '#tenant': 'tenantId' };
    const values: Record<string, unknown> = { ':now': now.toISOString(), ':nowEpoch': Math.floor(now.getTime() / 1000) };
    let membership: string;
    if (memberOf.length <= MAX_IN_OPERANDS) {
      membership = `#tenant IN (${memberOf.map((t, i) => { values[`:m${i}`] = t; return `:m${i}`; }).join(', ')})`;
    } else {
      // Beyond DynamoDB's IN operands: read the notification's tenant, then condition on exactly it.
      const tenantId = await this.t.get(keys.notification(userId, notificationId), { map: (item) => String(item.tenantId) });
      if (!tenantId || !memberOf.includes(tenantId)) return false;
      values[':m0'] = tenantId;
      membership = '#tenant = :m0';
    }
    return this.t.updateIf({
      Key: keys.notification(userId, notificationId),
      UpdateExpression: 'SET #readAt = if_not_exists(#readAt, :now)',
      ConditionExpression: `attribute_exists(pk) AND #exp > :nowEpoch AND ${membership}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
  }

}
