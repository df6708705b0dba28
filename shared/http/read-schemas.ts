/** Query schemas of the DB-only read endpoints over synced data (inventory, policies, groups). */
import * as z from 'zod';
import { CATEGORIES } from '../runs/catalog.js';
import { cursorParam, defineRoute, limitParam, tenantRoute } from './api.js';
import { problemSchema } from './schemas.js';

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

export const inventoryQuery = z.strictObject({
  category: z.enum(CATEGORIES).optional(),
  includeDeleted: bool.optional(),
  limit: limitParam(50, 100),
  cursor: cursorParam,
});

export const policiesQuery = z.strictObject({ limit: limitParam(50, 100), cursor: cursorParam });
export const policyQuery = z.strictObject({ versions: z.coerce.number().int().min(1).max(100).default(20) });
export const groupsQuery = z.strictObject({ search: z.string().min(1).max(100).optional(), limit: limitParam(50, 100), cursor: cursorParam });

const page = (item: z.ZodType) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
const inventoryItem = z.object({ category: z.string(), objectId: z.string(), displayName: z.string(), odataType: z.string().nullable(), lastModifiedDateTime: z.string().nullable(), deleted: z.boolean(), deletedAt: z.string().nullable(), firstSeenAt: z.string(), lastSeenAt: z.string() });
const policyHead = z.object({ policyId: z.string(), category: z.string(), displayName: z.string(), latestVersion: z.number(), contentHash: z.string(), lastSyncedAt: z.string() });
const policyVersion = z.object({ version: z.number(), contentHash: z.string(), capturedAt: z.string(), runId: z.string(), content: z.record(z.string(), z.unknown()), assignments: z.array(z.unknown()) });
const group = z.object({ id: z.string(), displayName: z.string(), mail: z.string().nullable(), description: z.string().nullable(), securityEnabled: z.boolean(), mailEnabled: z.boolean(), lastSeenAt: z.string() });

export const listInventoryRoute = defineRoute('GET /tenants/{tenantId}/inventory', tenantRoute('readonly', { query: inventoryQuery }), {
  summary: 'Inventory items synced from Graph (DB only)', responses: { 200: { description: 'ok', schema: page(inventoryItem) } },
});
export const listPoliciesRoute = defineRoute('GET /tenants/{tenantId}/policies', tenantRoute('readonly', { query: policiesQuery }), {
  summary: 'Policies synced from Graph (DB only)', responses: { 200: { description: 'ok', schema: page(policyHead) } },
});
export const getPolicyRoute = defineRoute('GET /tenants/{tenantId}/policies/{policyId}', tenantRoute('readonly', { query: policyQuery }), {
  summary: 'One policy with its versions, newest first (DB only)',
  responses: { 200: { description: 'ok', schema: policyHead.extend({ versions: z.array(policyVersion) }) }, 404: { description: 'unknown policy', schema: problemSchema } },
});
export const listGroupsRoute = defineRoute('GET /tenants/{tenantId}/groups', tenantRoute('readonly', { query: groupsQuery }), {
  summary: 'The directory-group cache; `search` is a displayName prefix (DB only)', responses: { 200: { description: 'ok', schema: page(group) } },
});
