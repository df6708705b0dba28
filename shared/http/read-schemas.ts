/** Query schemas of the DB-only read endpoints over synced data (inventory, policies, groups). */
import * as z from '../zod.js';
import { CATEGORIES } from '../runs/catalog.js';
import { cursorParam, defineRoute, limitParam, responseShapes, tenantRoute } from './api.js';
import { problemSchema } from './schemas.js';

const bool = z.pipe(z.enum(['true', 'false']), z.transform((v) => v === 'true'));

export const inventoryQuery = z.strictObject({
  category: z.optional(z.enum(CATEGORIES)),
  includeDeleted: z.optional(bool),
  limit: limitParam(50, 100),
  cursor: cursorParam,
});

export const policiesQuery = z.strictObject({ limit: limitParam(50, 100), cursor: cursorParam });
export const policyQuery = z.strictObject({ versions: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 20) });
export const groupsQuery = z.strictObject({ search: z.optional(z.string().check(z.minLength(1), z.maxLength(100))), limit: limitParam(50, 100), cursor: cursorParam });

const page = (item: z.ZodMiniType) => z.object({ items: z.array(item), nextCursor: z.nullable(z.string()) });
/** Response shapes, for the OpenAPI document only: built when it is generated, never at a cold start. */
const shapes = responseShapes(() => {
  const inventoryItem = z.object({ category: z.string(), objectId: z.string(), displayName: z.string(), odataType: z.nullable(z.string()), lastModifiedDateTime: z.nullable(z.string()), deleted: z.boolean(), deletedAt: z.nullable(z.string()), firstSeenAt: z.string(), lastSeenAt: z.string() });
  const policyHead = z.object({ policyId: z.string(), category: z.string(), displayName: z.string(), latestVersion: z.number(), contentHash: z.string(), lastSyncedAt: z.string() });
  const policyVersion = z.object({ version: z.number(), contentHash: z.string(), capturedAt: z.string(), runId: z.string(), content: z.record(z.string(), z.unknown()), assignments: z.array(z.unknown()) });
  const group = z.object({ id: z.string(), displayName: z.string(), mail: z.nullable(z.string()), description: z.nullable(z.string()), securityEnabled: z.boolean(), mailEnabled: z.boolean(), lastSeenAt: z.string() });
  return { inventoryItem, policyHead, policyVersion, group };
});

export const listInventoryRoute = defineRoute('GET /tenants/{tenantId}/inventory', tenantRoute('readonly', { query: inventoryQuery }), {
  summary: 'Inventory items synced from Graph (DB only)', responses: { 200: { description: 'ok', schema: () => page(shapes().inventoryItem) } },
});
export const listPoliciesRoute = defineRoute('GET /tenants/{tenantId}/policies', tenantRoute('readonly', { query: policiesQuery }), {
  summary: 'Policies synced from Graph (DB only)', responses: { 200: { description: 'ok', schema: () => page(shapes().policyHead) } },
});
export const getPolicyRoute = defineRoute('GET /tenants/{tenantId}/policies/{policyId}', tenantRoute('readonly', { query: policyQuery }), {
  summary: 'One policy with its versions, newest first (DB only)',
  responses: { 200: { description: 'ok', schema: () => z.extend(shapes().policyHead, { versions: z.array(shapes().policyVersion) }) }, 404: { description: 'unknown policy', schema: problemSchema } },
});
export const listGroupsRoute = defineRoute('GET /tenants/{tenantId}/groups', tenantRoute('readonly', { query: groupsQuery }), {
  summary: 'The directory-group cache; `search` is a displayName prefix (DB only)', responses: { 200: { description: 'ok', schema: () => page(shapes().group) } },
});
