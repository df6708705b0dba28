/**
 * Tenants and their Graph connection (issue 19): validation schemas, OpenAPI docs and route
 * declarations of POST/GET /tenants (platform admins) and PUT /tenants/{t}/graph-credential (owner).
 */
import * as z from '../zod.js';
import { CLOUD_NAMES } from '../tenants/clouds.js';
import { graphCredentialSchema } from '../tenants/credentials.js';
import { textField } from '../operations/module.js';
import { cursorParam, defineRoute, limitParam, platformAdminRoute, responseShapes, tenantRoute } from './api.js';
import { problemSchema, runSchema } from './schemas.js';

const GUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
/** A tenant id is a slug (§2: `contoso`): it goes into every key and URL of the tenant. */
export const TENANT_ID = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export const createTenantBody = z.strictObject({
  tenantId: z.string().check(z.regex(TENANT_ID, 'must be a slug: lower-case letters, digits and inner hyphens, 1–63 characters')),
  name: textField(200),
  graph: z.strictObject({
    cloud: z.enum(CLOUD_NAMES),
    // The Entra ID directory: its GUID, or a verified domain such as contoso.onmicrosoft.com.
    directoryTenantId: z.string().check(z.maxLength(253), z.refine((s) => GUID.test(s) || /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(s), 'must be the directory\'s GUID or one of its domains')),
    clientId: z.string().check(z.regex(GUID, 'must be the app registration\'s application (client) id, a GUID')),
    credential: graphCredentialSchema,
  }),
});
export type CreateTenantBody = z.infer<typeof createTenantBody>;

export const rotateCredentialBody = z.strictObject({ credential: graphCredentialSchema });
export const listTenantsQuery = z.strictObject({ limit: limitParam(), cursor: cursorParam });

/** Response shapes, for the OpenAPI document only: built when it is generated, never at a cold start. */
const shapes = responseShapes(() => {
  const categoryCheck = z.enum(['readable', 'missing_permission', 'unavailable', 'not_checked']);
  const checkSummary = z.object({
    runId: z.string(), status: z.string(), completedAt: z.nullable(z.string()), usedPendingCredential: z.boolean(),
    categories: z.record(z.string(), categoryCheck),
  });
  const tenantSchema = z.object({
    tenantId: z.string(),
    name: z.string(),
    graph: z.object({
      cloud: z.nullable(z.string()), directoryTenantId: z.nullable(z.string()), clientId: z.nullable(z.string()),
      credential: z.nullable(z.record(z.string(), z.unknown())),
    }),
    pendingCredential: z.nullable(z.object({ since: z.string(), credential: z.record(z.string(), z.unknown()) })),
    lastConnectionCheck: z.nullable(checkSummary),
    createdAt: z.nullable(z.string()),
    createdBy: z.nullable(z.object({ userId: z.string(), name: z.string() })),
  });
  const checkStarted = z.object({ run: runSchema(), viewUrl: z.string() });
  return { tenantSchema, checkStarted };
});
const problem = (description: string) => ({ description, schema: problemSchema });

export const createTenantRoute = defineRoute('POST /tenants', platformAdminRoute({ body: createTenantBody }), {
  summary: 'Create a tenant connected to Microsoft Graph (platform admins); the creator becomes its owner and a connection check starts',
  responses: {
    201: { description: 'created; Location names it. The credential is stored in the secret store only', schema: () => z.object({ tenant: shapes().tenantSchema, connectionCheck: shapes().checkStarted }) },
    409: problem('a tenant with this id exists'),
  },
});
export const listTenantsRoute = defineRoute('GET /tenants', platformAdminRoute({ query: listTenantsQuery }), {
  summary: 'Every tenant by id, with its last connection check (platform admins)',
  responses: { 200: { description: 'ok', schema: () => z.object({ items: z.array(shapes().tenantSchema), nextCursor: z.nullable(z.string()) }) } },
});
export const rotateCredentialRoute = defineRoute('PUT /tenants/{tenantId}/graph-credential', tenantRoute('owner', { body: rotateCredentialBody }), {
  summary: 'Replace the Graph credential (owner): stored as pending and checked; it becomes current only if its check passes',
  responses: {
    202: { description: 'the check of the new credential started', schema: () => z.extend(shapes().checkStarted, { deduplicated: z.boolean() }) },
    409: problem('a rotated credential is still being checked'),
    422: problem('the tenant has no Graph connection'),
  },
});
