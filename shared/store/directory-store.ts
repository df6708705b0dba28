/** Users, tenants and memberships (who may do what where). Keys from keys.ts. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Role } from '../runs/model.js';
import { INDEXES, keys } from './keys.js';
import { tableName } from './table.js';
import type { CompanionPut } from '../runs/ports.js';
import { companionItem } from './run-store.js';
import { TableClient, type Page, type TxItem } from './table-client.js';

export interface Membership {
  tenantId: string;
  tenantName: string;
  role: Role;
}

export interface UserProfile {
  id: string;
  name: string;
}

export interface TenantProfile {
  id: string;
  name: string;
  /** Graph settings (shared/graph/client.ts GraphSettings): `graphRoot`; rows of the old shape carry `baseUrl` (…/v1.0) instead */
  graph?: { graphRoot?: string; baseUrl?: string; tokenUrl: string; clientId: string; secretRef: string };
  /** how the tenant was connected through the API (issue 19); seeded tenants have none */
  connection?: TenantConnection;
  /** the current credential's kind (and a certificate's thumbprint and expiry) — never the secret */
  graphCredential?: Record<string, unknown>;
  /** a rotated credential waiting for its connection check (PUT /tenants/{t}/graph-credential) */
  pendingCredential?: PendingCredential;
  /** the newest connection check's result (graph.connection_check's projection keeps it) */
  lastConnectionCheck?: ConnectionCheckSummary;
  createdAt?: string;
  createdBy?: { userId: string; name: string };
}

export interface TenantConnection {
  cloud: string;
  directoryTenantId: string;
}

export interface PendingCredential {
  secretRef: string;
  credential: Record<string, unknown>;
  since: string;
}

/** Per category (and `organization`): readable, missing_permission, unavailable (not licensed / not served), not_checked. */
export type CategoryCheck = 'readable' | 'missing_permission' | 'unavailable' | 'not_checked';

export interface ConnectionCheckSummary {
  runId: string;
  status: string;
  completedAt: string | null;
  usedPendingCredential: boolean;
  categories: Record<string, CategoryCheck>;
}

const tenantFrom = (i: Record<string, any>): TenantProfile => ({
  id: i.tenantId, name: i.name, graph: i.graph, connection: i.connection, graphCredential: i.graphCredential, pendingCredential: i.pendingCredential,
  lastConnectionCheck: i.lastConnectionCheck, createdAt: i.createdAt, createdBy: i.createdBy,
});

/** The owner membership's item, the shape every membership has (keys.membership). */
const membershipItem = (userId: string, m: Membership) => ({ ...keys.membership(userId, m.tenantId), kind: 'membership', userId, ...m });
const tenantItem = (t: TenantProfile) => ({ ...keys.tenant(t.id), ...keys.tenantLookup(t.id), kind: 'tenant', tenantId: t.id, ...withoutId(t) });
const withoutId = ({ id: _id, ...rest }: TenantProfile) => Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));

class PendingRefused extends Error {}

export class TenantExistsError extends Error {
  constructor(readonly tenantId: string) {
    super(`tenant ${tenantId} exists`);
    this.name = 'TenantExistsError';
  }
}

export class DirectoryStore {
  private readonly t: TableClient;

  constructor(doc: DynamoDBDocumentClient, table: string = tableName()) {
    this.t = new TableClient(doc, table);
  }

  async getMembership(userId: string, tenantId: string): Promise<Membership | null> {
    // Strongly consistent (issue 19): a role change or removal takes effect on the very next request.
    // Nothing caches it past the request; the read costs 1 RCU instead of 0.5.
    return this.t.get(keys.membership(userId, tenantId), { consistent: true, map: (i): Membership => ({ tenantId: i.tenantId, tenantName: i.tenantName, role: i.role }) });
  }

  async listMemberships(userId: string): Promise<Membership[]> {
    const { items } = await this.t.queryPage({
      key: { pk: keys.user(userId).pk, sk: { beginsWith: keys.membershipPrefix } },
      map: (i): Membership => ({ tenantId: i.tenantId, tenantName: i.tenantName, role: i.role }),
    });
    return items;
  }

  async getUser(userId: string): Promise<UserProfile | null> {
    return this.t.get(keys.user(userId), { consistent: false, map: (i): UserProfile => ({ id: i.userId, name: i.name }) });
  }

  async getTenant(tenantId: string, opts: { consistent?: boolean } = {}): Promise<TenantProfile | null> {
    return this.t.get(keys.tenant(tenantId), { consistent: opts.consistent ?? false, map: tenantFrom });
  }

  async getTenants(tenantIds: string[]): Promise<TenantProfile[]> {
    if (tenantIds.length === 0) return [];
    return (await this.t.batchGet(tenantIds.map(keys.tenant), { consistent: false })).map(tenantFrom);
  }

  async putUser(user: UserProfile): Promise<void> {
    await this.t.put({ ...keys.user(user.id), kind: 'user', userId: user.id, name: user.name });
  }

  async putTenant(tenant: TenantProfile): Promise<void> {
    await this.t.put(tenantItem(tenant));
  }

  async putMembership(userId: string, m: Membership): Promise<void> {
    await this.t.put(membershipItem(userId, m));
  }

  /**
   * The transaction item that creates a tenant (issue 19): TenantExistsError when the id is taken.
   * The tenant, its first owner (MemberStore.addIfAbsent: both sides of the membership and the owner
   * counter) and the audit entry commit together — `members.addIfAbsent({ …, others: [newTenant(t)] })`.
   */
  newTenant(tenant: TenantProfile): TxItem {
    return { name: 'tenant', op: { Put: { Item: tenantItem(tenant), ConditionExpression: 'attribute_not_exists(pk)' } }, onConditionFailed: () => new TenantExistsError(tenant.id) };
  }

  /** Every tenant by id, one Query per page (platform admins: GET /tenants). Strongly consistent reads are not offered by GSIs. */
  async listTenants(limit: number, cursor?: string): Promise<Page<TenantProfile>> {
    return this.t.queryPage({
      index: 'byLookup',
      key: { pkAttr: INDEXES.byLookup.partitionKey, pk: keys.tenantsLookupPk },
      limit,
      cursor: { scope: 'tenants', value: cursor },
      map: tenantFrom,
    });
  }

  /**
   * Stores a rotated credential's ref as pending (the current one keeps serving every run). Refused
   * (false) when the tenant is gone, has no Graph settings, or another pending credential newer than
   * `staleBefore` is still being checked.
   */
  async setPendingCredential(tenantId: string, pending: PendingCredential, staleBefore: string, audit: CompanionPut): Promise<boolean> {
    try {
      await this.t.transact([
        {
          name: 'tenant',
          op: {
            Update: {
              Key: keys.tenant(tenantId),
              UpdateExpression: 'SET pendingCredential = :p',
              // One rotation at a time: another pending credential is refused unless it is a leftover.
              ConditionExpression: 'attribute_exists(pk) AND attribute_exists(graph) AND (attribute_not_exists(pendingCredential) OR pendingCredential.since < :stale)',
              ExpressionAttributeValues: { ':p': pending, ':stale': staleBefore },
            },
          },
          onConditionFailed: () => new PendingRefused(),
        },
        // The rotation is audited in its own transaction: an entry exists exactly when it was accepted.
        companionItem(audit),
      ]);
      return true;
    } catch (err) {
      if (err instanceof PendingRefused) return false;
      throw err;
    }
  }

}
