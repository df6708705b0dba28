/**
 * The audit trail (issue 19): one immutable item per administrative action, `TENANT#t / AUDIT#<ulid>`,
 * written by shared/audit/audit.ts as a companion Put in the transaction of the change it records.
 * The whole entry is ONE map attribute (`entry`), so the action index copies one attribute.
 *
 *   all entries, newest first   table         pk=TENANT#t, sk begins_with AUDIT# (descending)
 *   one actor's entries         byLookup      TENANT#t#AUDITACTOR#<userId> / <ulid>
 *   one action's entries        byAuditAction TENANT#t#AUDITACTION#<action> / <ulid>
 *   actor AND action            the actor's partition, filtered on the action (bounded by the read budget)
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { INDEXES, keys, tenantPk } from './keys.js';
import { TableClient, type Item, type Page } from './table-client.js';
import { tableName } from './table.js';

import { AUDIT_ACTIONS, type AuditAction } from './audit-actions.js';

export { AUDIT_ACTIONS, type AuditAction };

export interface AuditActor {
  userId: string;
  name: string;
}

export interface AuditEntry {
  id: string;
  tenantId: string;
  actor: AuditActor;
  action: AuditAction;
  /** what the action was done to: `{ type: 'member', id: '<userId>' }`, `{ type: 'schedule', id }`… */
  target: { type: string; id: string; label?: string };
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  at: string;
}

export const AUDIT_KIND = 'audit';

/** The entry an audit item (table, stream image or index item) holds; null for anything else. */
export function fromAuditItem(item: Item): AuditEntry | null {
  const e = item.entry as AuditEntry | undefined;
  return e && typeof e === 'object' && typeof e.id === 'string' ? e : null;
}

export class AuditStore {
  private readonly t: TableClient;

  constructor(doc: DynamoDBDocumentClient, table: string = tableName()) {
    this.t = new TableClient(doc, table);
  }

  /** A page of the tenant's audit trail, newest first; one Query on the table or an index. */
  async list(tenantId: string, q: { actor?: string; action?: AuditAction; limit: number; cursor?: string }): Promise<Page<AuditEntry>> {
    const scope = `audit:${tenantId}:${q.actor ?? ''}:${q.action ?? ''}`;
    const map = (i: Item) => fromAuditItem(i)!;
    const common = { forward: false, limit: q.limit, cursor: { scope, value: q.cursor }, map };
    const page = q.actor !== undefined
      ? await this.t.queryPage({
          ...common,
          index: 'byLookup',
          key: { pkAttr: INDEXES.byLookup.partitionKey, pk: keys.auditActorPk(tenantId, q.actor), skAttr: INDEXES.byLookup.sortKey },
          // One actor's entries are few; the action narrows them within that partition (up to 4 Queries).
          ...(q.action ? { filter: { expression: '#e.#a = :a', names: { '#e': 'entry', '#a': 'action' }, values: { ':a': q.action } }, maxPages: 4 } : {}),
        })
      : q.action !== undefined
        ? await this.t.queryPage({
            ...common,
            index: 'byAuditAction',
            key: { pkAttr: INDEXES.byAuditAction.partitionKey, pk: keys.auditActionPk(tenantId, q.action), skAttr: INDEXES.byAuditAction.sortKey },
          })
        : await this.t.queryPage({ ...common, key: { pk: tenantPk(tenantId), sk: { beginsWith: keys.auditPrefix } } });
    return { items: page.items, nextCursor: page.nextCursor };
  }
}
