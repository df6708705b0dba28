/**
 * The validation schemas of the API, in one place: handlers validate with them and
 * GET /openapi.json is generated from them (shared/http/openapi.ts), so the two cannot differ.
 */
import * as z from '../zod.js';
import { CATALOG, OPERATION_TYPES, type OperationType } from '../operations/catalog.js';
import { OUTCOMES, STATUSES, SURFACES } from '../runs/model.js';
import { TIMELINE_KINDS } from '../runs/timeline.js';
import { cursorParam, defineRoute, limitParam, publicRoute, responseShapes, tenantRoute, userRoute } from './api.js';

const isoDate = z.iso.datetime({ offset: true });

const startRunOption = (type: OperationType) =>
  z.strictObject({
    type: z.literal(type),
    input: z._default(CATALOG[type].schema, {}),
    surface: z._default(z.enum(['api', 'console']), 'api'),
  });
const buildStartRunBody = () => {
  const [firstType, ...otherTypes] = OPERATION_TYPES.map(startRunOption);
  return z.discriminatedUnion('type', [firstType, ...otherTypes]);
};
/**
 * Built on first use: one option per operation type, each with its input schema — only the start
 * route parses it, and every other route's cold start would pay for building it.
 */
export const startRunBody = z.lazy(buildStartRunBody);
export type StartRunBody = z.output<typeof startRunBody>;

export const listRunsQuery = z
  .strictObject({
    type: z.optional(z.enum(OPERATION_TYPES as [OperationType, ...OperationType[]])),
    status: z.optional(z.enum(STATUSES)),
    outcome: z.optional(z.enum(OUTCOMES)),
    initiator: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
    surface: z.optional(z.enum(SURFACES)),
    from: z.optional(isoDate),
    to: z.optional(isoDate),
    limit: limitParam(),
    cursor: cursorParam,
  })
  .check(z.refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), { message: '`from` must not be after `to`', path: ['from'] }));

export const emptyQuery = z.strictObject({});

/** Response shapes, for the OpenAPI document only: built when it is generated, never at a cold start. */
export const runSchema = responseShapes(() => z.object({
  id: z.string(), tenantId: z.string(), type: z.string(), label: z.string(),
  status: z.enum(STATUSES), outcome: z.enum(OUTCOMES), input: z.record(z.string(), z.unknown()),
  identityHash: z.string(), initiator: z.object({ userId: z.nullable(z.string()), name: z.string() }), surface: z.enum(SURFACES),
  summaryCounts: z.record(z.string(), z.number()),
  failures: z.array(z.object({ code: z.string(), message: z.string(), itemId: z.optional(z.string()) })),
  failureCount: z.number(), context: z.record(z.string(), z.unknown()), attempt: z.number(), cancelRequested: z.boolean(),
  createdAt: z.string(), startedAt: z.nullable(z.string()), completedAt: z.nullable(z.string()),
  durationMs: z.nullable(z.number()), queueWaitMs: z.nullable(z.number()), expiresAt: z.string(),
}));
export const startRunResponse = responseShapes(() => z.object({ run: runSchema(), deduplicated: z.boolean(), viewUrl: z.string() }));
/** A run as lists show it: without its input and failures. */
export const runListItem = responseShapes(() => z.omit(runSchema(), { failures: true, input: true }));
export const runListResponse = () => z.object({ items: z.array(runListItem()), nextCursor: z.nullable(z.string()) });
export const problemSchema = responseShapes(() => z.object({
  type: z.string(), title: z.string(), status: z.number(), detail: z.string(),
  errors: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
}));
export const meResponse = () => z.object({
  user: z.object({ id: z.string(), name: z.string() }),
  memberships: z.array(z.object({ tenantId: z.string(), tenantName: z.string(), role: z.string() })),
});

const problem = (description: string) => ({ description, schema: problemSchema });

// The routes of this module: composition, schemas and documentation, declared once.
export const healthRoute = defineRoute('GET /health', publicRoute(), {
  summary: 'Liveness', responses: { 200: { description: 'ok', schema: () => z.object({ status: z.literal('ok') }) } },
});
export const openApiRoute = defineRoute('GET /openapi.json', publicRoute(), {
  summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1' } },
});
export const meRoute = defineRoute('GET /me', userRoute(), {
  summary: 'The caller and their memberships', responses: { 200: { description: 'ok', schema: meResponse } },
});
export const operationTypesRoute = defineRoute('GET /operation-types', userRoute(), {
  summary: 'The operation catalog with JSON Schemas of each input', responses: { 200: { description: 'ok' } },
});
// Starting and cancelling need the operation type's own minimum role: the handler checks it (403).
export const startRunRoute = defineRoute('POST /tenants/{tenantId}/runs', tenantRoute('readonly', { body: startRunBody }), {
  summary: 'Start an operation run',
  responses: {
    202: { description: 'a new run was queued', schema: startRunResponse },
    200: { description: 'an active run with the same key exists (deduplicated)', schema: startRunResponse },
    403: problem("your role is below the operation type's minimum role"),
    422: problem('a referenced record does not exist or a precondition does not hold'),
    429: problem("a new run would pass the tenant's active-run quota (MAX_ACTIVE_RUNS_PER_TENANT); header Retry-After"),
    503: problem('the run was written but could not be enqueued'),
  },
});
export const listRunsRoute = defineRoute('GET /tenants/{tenantId}/runs', tenantRoute('readonly', { query: listRunsQuery }), {
  summary: 'List runs, newest first', responses: { 200: { description: 'ok', schema: runListResponse } },
});
export const getRunRoute = defineRoute('GET /tenants/{tenantId}/runs/{runId}', tenantRoute('readonly', { query: emptyQuery }), {
  summary: 'One run (ETag, If-None-Match → 304)',
  responses: { 200: { description: 'ok', schema: runSchema }, 304: { description: 'not modified' }, 404: problem('unknown run') },
});
export const cancelRunRoute = defineRoute('POST /tenants/{tenantId}/runs/{runId}/cancel', tenantRoute('readonly'), {
  summary: 'Cancel a run',
  responses: {
    202: { description: 'cancelled or cancel requested', schema: () => z.object({ run: runSchema() }) },
    403: problem("your role is below the operation type's minimum role"),
    404: problem('unknown run'),
    409: problem('already completed'),
  },
});

export const timelineQuery = z.strictObject({ limit: limitParam(50, 100), cursor: cursorParam });
export const timelineResponse = () => z.object({
  items: z.array(z.object({
    seq: z.number(), at: z.string(), kind: z.enum(TIMELINE_KINDS), attempt: z.number(),
    counts: z.optional(z.object({ total: z.number(), processed: z.number(), succeeded: z.number(), failed: z.number(), skipped: z.number() })),
    outcome: z.optional(z.enum(OUTCOMES)), code: z.optional(z.string()),
  })),
  nextCursor: z.nullable(z.string()),
});
export const runTimelineRoute = defineRoute('GET /tenants/{tenantId}/runs/{runId}/timeline', tenantRoute('readonly', { query: timelineQuery }), {
  summary: "A run's timeline, oldest first: one entry per committed transition (DB only, cursor-paged)",
  responses: { 200: { description: 'ok', schema: timelineResponse }, 404: problem('unknown run') },
});
