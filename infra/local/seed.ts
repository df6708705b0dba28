/**
 * Demo data (§10), created on first start and idempotent: tenants, users, memberships. Domain seed
 * data (the "Nightly" schedule, Graph settings) is added by the modules that own it via `seedHooks`.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DirectoryStore } from '../../shared/store/directory-store.js';
import { MemberStore } from '../../shared/store/member-store.js';
import type { Role } from '../../shared/runs/model.js';

export const SEED_TENANTS = [
  { id: 'contoso', name: 'Contoso Ltd' },
  { id: 'fabrikam', name: 'Fabrikam Inc' },
];

export const SEED_USERS: Array<{ id: string; name: string; memberships: Array<{ tenantId: string; role: Role }> }> = [
  { id: 'alice', name: 'Alice Admin', memberships: [{ tenantId: 'contoso', role: 'owner' }] },
  { id: 'bob', name: 'Bob Operator', memberships: [{ tenantId: 'fabrikam', role: 'operator' }] },
  { id: 'carol', name: 'Carol Reader', memberships: [{ tenantId: 'contoso', role: 'readonly' }] },
  { id: 'dave', name: 'Dave Ops', memberships: [{ tenantId: 'contoso', role: 'operator' }, { tenantId: 'fabrikam', role: 'manager' }] },
];

export interface SeedContext {
  doc: DynamoDBDocumentClient;
  table: string;
  graphSimUrl?: string;
}

export type SeedHook = (ctx: SeedContext) => Promise<void>;

export async function seedDemo(ctx: SeedContext, hooks: SeedHook[] = []): Promise<void> {
  const dir = new DirectoryStore(ctx.doc, ctx.table);
  // Puts are idempotent: running the seed again rewrites the same items. Tenant Graph settings are
  // written by the Graph seed hook, so a plain re-put here must not drop them.
  for (const t of SEED_TENANTS) {
    const existing = await dir.getTenant(t.id);
    await dir.putTenant({ ...t, graph: existing?.graph });
  }
  // Memberships go through the member store (both sides + the owner counter, issue 19), only when
  // absent: a restart never undoes a role changed through the API.
  const members = new MemberStore(ctx.doc, ctx.table);
  for (const u of SEED_USERS) {
    await dir.putUser({ id: u.id, name: u.name });
    for (const m of u.memberships) {
      const tenantName = SEED_TENANTS.find((t) => t.id === m.tenantId)!.name;
      await members.addIfAbsent({ tenantId: m.tenantId, tenantName, user: { id: u.id, name: u.name }, role: m.role, now: new Date() });
    }
  }
  for (const hook of hooks) await hook(ctx);
}
