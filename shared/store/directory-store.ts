/** Users, tenants and memberships (who may do what where). Keys from keys.ts. */
import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Role } from '../runs/model.js';
import { keys } from './keys.js';
import { tableName } from './table.js';

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

export class DirectoryStore {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly table: string = tableName()) {}

  async getMembership(userId: string, tenantId: string): Promise<Membership | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.membership(userId, tenantId) }));
    return out.Item ? { tenantId: out.Item.tenantId, tenantName: out.Item.tenantName, role: out.Item.role } : null;
  }

  async listMemberships(userId: string): Promise<Membership[]> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': keys.user(userId).pk, ':p': keys.membershipPrefix },
      }),
    );
    return (out.Items ?? []).map((i) => ({ tenantId: i.tenantId, tenantName: i.tenantName, role: i.role }));
  }

  async getUser(userId: string): Promise<UserProfile | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.user(userId) }));
    return out.Item ? { id: out.Item.userId, name: out.Item.name } : null;
  }

  async getTenant(tenantId: string): Promise<TenantProfile | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.tenant(tenantId) }));
    return out.Item ? { id: out.Item.tenantId, name: out.Item.name, graph: out.Item.graph } : null;
  }

  async getTenants(tenantIds: string[]): Promise<TenantProfile[]> {
    if (tenantIds.length === 0) return [];
    const out = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: tenantIds.map(keys.tenant) } } }));
    return (out.Responses?.[this.table] ?? []).map((i) => ({ id: i.tenantId, name: i.name, graph: i.graph }));
  }

  async putUser(user: UserProfile): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...keys.user(user.id), kind: 'user', userId: user.id, name: user.name } }));
  }

  async putTenant(tenant: TenantProfile): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...keys.tenant(tenant.id), kind: 'tenant', tenantId: tenant.id, name: tenant.name, graph: tenant.graph } }));
  }

  async putMembership(userId: string, m: Membership): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...keys.membership(userId, m.tenantId), kind: 'membership', userId, ...m } }));
  }
}
