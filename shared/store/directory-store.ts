/** Users, tenants and memberships (who may do what where). Keys from keys.ts. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Role } from '../runs/model.js';
import { keys } from './keys.js';
import { tableName } from './table.js';
import { TableClient } from './table-client.js';

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
}

const tenantFrom = (i: Record<string, any>): TenantProfile => ({ id: i.tenantId, name: i.name, graph: i.graph });

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

  async getTenant(tenantId: string): Promise<TenantProfile | null> {
    return this.t.get(keys.tenant(tenantId), { consistent: false, map: tenantFrom });
  }

  async getTenants(tenantIds: string[]): Promise<TenantProfile[]> {
    if (tenantIds.length === 0) return [];
    return (await this.t.batchGet(tenantIds.map(keys.tenant), { consistent: false })).map(tenantFrom);
  }

  async putUser(user: UserProfile): Promise<void> {
    await this.t.put({ ...keys.user(user.id), kind: 'user', userId: user.id, name: user.name });
  }

  async putTenant(tenant: TenantProfile): Promise<void> {
    await this.t.put({ ...keys.tenant(tenant.id), kind: 'tenant', tenantId: tenant.id, name: tenant.name, graph: tenant.graph });
  }

  async putMembership(userId: string, m: Membership): Promise<void> {
    await this.t.put({ ...keys.membership(userId, m.tenantId), kind: 'membership', userId, ...m });
  }
}
