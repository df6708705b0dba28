/**
 * Validation schemas and OpenAPI docs of the backup, schedule, restore, drift and group-search routes
 * (§5), and the routes themselves (defineRoute): handlers are served from these declarations and
 * /openapi.json documents them. The schedule bodies, which validate cron expressions with croner,
 * are in ./schedule-schemas.ts, so only the two functions that take them bundle croner (issue 18).
 */
import { DOMAIN_RUN_STATUSES } from '../store/run-rows.js';
import * as z from '../zod.js';
import { CATEGORIES } from '../runs/catalog.js';
import { cursorParam, defineRoute, limitParam, responseShapes, tenantRoute } from './api.js';
import { emptyQuery, problemSchema } from './schemas.js';

export const name = z.string().check(z.trim(), z.minLength(1), z.maxLength(200));
export const pageQuery = z.strictObject({ limit: limitParam(), cursor: cursorParam });

export const createBackupSetBody = z.strictObject({ name });

export const driftQuery = z.strictObject({
  baselineBackupSetId: z.optional(z.string().check(z.minLength(1), z.maxLength(200), z.regex(/^[A-Za-z0-9._:@-]+$/))),
  limit: limitParam(),
  cursor: cursorParam,
});

export const groupSearchQuery = z.strictObject({ q: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)) });

/** Response shapes, for the OpenAPI document only: built when it is generated, never at a cold start. */
const shapes = responseShapes(() => {
  const initiator = z.object({ userId: z.nullable(z.string()), name: z.string() });
  const backupSetSchema = z.object({
    id: z.string(), tenantId: z.string(), name: z.string(), status: z.enum(['in_progress', 'complete', 'failed', 'cancelled']), itemCount: z.number(),
    createdAt: z.string(), createdBy: initiator, scheduleId: z.nullable(z.string()), runId: z.nullable(z.string()), completedAt: z.nullable(z.string()),
  });
  /** An item as a set's page lists it: everything but the content (one item's content can take most of 400 KB). */
  const backupItemSummarySchema = z.object({
    id: z.string(), policyId: z.string(), category: z.string(), displayName: z.string(),
    assignments: z.array(z.unknown()), contentHash: z.string(), capturedAt: z.string(), runId: z.string(),
  });
  const backupItemSchema = z.extend(backupItemSummarySchema, { backupSetId: z.string(), content: z.record(z.string(), z.unknown()) });
  const historySchema = z.object({
    runId: z.string(), type: z.string(), scheduledFor: z.nullable(z.string()), status: z.enum(DOMAIN_RUN_STATUSES), backupSetId: z.string(),
    retryOfRunId: z.nullable(z.string()), failedItemCount: z.number(), createdAt: z.string(), completedAt: z.nullable(z.string()),
  });
  const scheduleSchema = z.object({
    id: z.string(), tenantId: z.string(), name: z.string(), cron: z.string(), categories: z.nullable(z.array(z.enum(CATEGORIES))), keepLast: z.number(),
    enabled: z.boolean(), nextRunAt: z.nullable(z.string()), lastRunId: z.nullable(z.string()),
    lastSkip: z.nullable(z.object({ at: z.string(), reason: z.string(), runId: z.nullable(z.string()), scheduledFor: z.string() })),
    createdAt: z.string(), updatedAt: z.string(), history: z.optional(z.array(historySchema)),
  });
  const restoreItemSchema = z.object({
    itemId: z.string(), policyId: z.string(), category: z.string(), displayName: z.string(),
    status: z.enum(['pending', 'restored', 'would_change', 'unchanged', 'failed']),
    changedPaths: z.array(z.string()).check(z.describe('the first 100 changed JSON paths')), changedPathCount: z.number(),
    error: z.nullable(z.object({ code: z.string(), message: z.string() })), at: z.nullable(z.string()),
  });
  const restoreSchema = z.object({
    id: z.string(), tenantId: z.string(), runId: z.string(), backupSetId: z.string(), dryRun: z.boolean(), groupMapping: z.record(z.string(), z.string()),
    // The restore's status follows its run (issue 14): the run's status while active, its outcome once completed.
    status: z.enum(DOMAIN_RUN_STATUSES), total: z.number(),
    counts: z.object({ pending: z.number(), restored: z.number(), wouldChange: z.number(), unchanged: z.number(), failed: z.number() }),
    items: z.array(restoreItemSchema).check(z.describe('one page of per-item results, in item order (`limit`, default 100; the next page: `cursor` = nextCursor)')),
    nextCursor: z.nullable(z.string()), createdAt: z.string(), startedAt: z.optional(z.nullable(z.string())),
    completedAt: z.nullable(z.string()), initiator,
  });
  const driftFindingSchema = z.object({
    baselineBackupSetId: z.string(), policyId: z.string(), category: z.string(), displayName: z.string(), kind: z.enum(['added', 'removed', 'modified']),
    changedPaths: z.array(z.string()), policyVersion: z.nullable(z.number()), detectedAt: z.string(), runId: z.string(),
  });
  return { backupSetSchema, backupItemSummarySchema, backupItemSchema, scheduleSchema, restoreSchema, driftFindingSchema };
});
export const backupSetSchema = () => shapes().backupSetSchema;
export const scheduleSchema = () => shapes().scheduleSchema;
const page = <T extends z.ZodMiniType>(item: T) => z.object({ items: z.array(item), nextCursor: z.nullable(z.string()) });
export const problem = (description: string) => ({ description, schema: problemSchema });

export const listBackupSetsRoute = defineRoute('GET /tenants/{tenantId}/backup-sets', tenantRoute('readonly', { query: pageQuery }), {
  summary: 'List backup sets, newest first', responses: { 200: { description: 'ok', schema: () => page(backupSetSchema()) } },
});
export const createBackupSetRoute = defineRoute('POST /tenants/{tenantId}/backup-sets', tenantRoute('operator', { body: createBackupSetBody }), {
  summary: 'Create an empty backup set (operator)', responses: { 201: { description: 'created; Location names it', schema: backupSetSchema } },
});
/** A record with one page of its items: up to 1,000 small rows per page (default 100). */
export const itemPageQuery = z.strictObject({ limit: limitParam(100, 1000), cursor: cursorParam });

export const getBackupSetRoute = defineRoute('GET /tenants/{tenantId}/backup-sets/{backupSetId}', tenantRoute('readonly', { query: itemPageQuery }), {
  summary: "A backup set with one page of its items (summaries without content; one item's content: GET …/items/{policyId})",
  responses: {
    200: { description: 'ok', schema: () => z.extend(backupSetSchema(), { items: z.array(shapes().backupItemSummarySchema), nextCursor: z.nullable(z.string()) }) },
    400: problem('bad limit or cursor'),
    404: problem('unknown set'),
  },
});
export const getBackupItemRoute = defineRoute('GET /tenants/{tenantId}/backup-sets/{backupSetId}/items/{policyId}', tenantRoute('readonly', { query: emptyQuery }), {
  summary: 'One item of a backup set, with its content', responses: { 200: { description: 'ok', schema: () => shapes().backupItemSchema }, 404: problem('unknown set or item') },
});
export const listSchedulesRoute = defineRoute('GET /tenants/{tenantId}/backup-schedules', tenantRoute('readonly', { query: pageQuery }), {
  summary: 'List backup schedules', responses: { 200: { description: 'ok', schema: () => page(scheduleSchema()) } },
});
export const getScheduleRoute = defineRoute('GET /tenants/{tenantId}/backup-schedules/{scheduleId}', tenantRoute('readonly', { query: emptyQuery }), {
  summary: 'A backup schedule with its recent run history', responses: { 200: { description: 'ok', schema: scheduleSchema }, 404: problem('unknown schedule') },
});
export const deleteScheduleRoute = defineRoute('DELETE /tenants/{tenantId}/backup-schedules/{scheduleId}', tenantRoute('manager', { query: emptyQuery }), {
  summary: 'Delete a backup schedule (manager); its backup sets stay', responses: { 204: { description: 'deleted' }, 404: problem('unknown schedule') },
});
export const getRestoreRoute = defineRoute('GET /tenants/{tenantId}/restores/{restoreId}', tenantRoute('readonly', { query: itemPageQuery }), {
  summary: 'A restore: its summary and one page of its per-item results',
  responses: { 200: { description: 'ok', schema: () => shapes().restoreSchema }, 400: problem('bad limit or cursor'), 404: problem('unknown restore') },
});
export const listDriftFindingsRoute = defineRoute('GET /tenants/{tenantId}/drift-findings', tenantRoute('readonly', { query: driftQuery }), {
  summary: 'Drift findings (DB only)', responses: { 200: { description: 'ok', schema: () => page(shapes().driftFindingSchema) } },
});
export const searchGroupsRoute = defineRoute('GET /tenants/{tenantId}/directory/group-search', tenantRoute('manager', { query: groupSearchQuery }), {
  summary: "RBAC group search in Graph with the caller's delegated token (header X-Graph-Delegated-Token; never stored or logged)",
  responses: {
    200: { description: 'ok', schema: () => z.object({ items: z.array(z.object({ id: z.string(), displayName: z.string(), mail: z.nullable(z.string()) })) }) },
    403: problem('Graph refused the group search for your account'),
    428: problem('delegated Graph sign-in required'),
    502: problem('Microsoft Graph could not answer'),
    503: problem('Microsoft Graph is throttling or unavailable past the search budget; retry after Retry-After seconds'),
  },
});
