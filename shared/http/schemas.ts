/**
 * The validation schemas of the API, in one place: handlers validate with them and
 * GET /openapi.json is generated from them (shared/http/openapi.ts), so the two cannot differ.
 */
import { z } from 'zod';
import { CATALOG, OPERATION_TYPES, type OperationType } from '../operations/catalog.js';
import { OUTCOMES, STATUSES, SURFACES } from '../runs/model.js';
import { cursorParam, limitParam } from './api.js';

const isoDate = z.iso.datetime({ offset: true });

export const startRunBody = z.discriminatedUnion(
  'type',
  OPERATION_TYPES.map((type: OperationType) =>
    z.strictObject({
      type: z.literal(type),
      input: (CATALOG[type].schema as z.ZodObject).default({}),
      surface: z.enum(['api', 'console']).default('api'),
    }),
  ) as unknown as [z.ZodObject, z.ZodObject, ...z.ZodObject[]],
);
export type StartRunBody = { type: OperationType; input: Record<string, unknown>; surface: 'api' | 'console' };

export const listRunsQuery = z
  .strictObject({
    type: z.enum(OPERATION_TYPES as [OperationType, ...OperationType[]]).optional(),
    status: z.enum(STATUSES).optional(),
    outcome: z.enum(OUTCOMES).optional(),
    initiator: z.string().min(1).max(200).optional(),
    surface: z.enum(SURFACES).optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    limit: limitParam(),
    cursor: cursorParam,
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), { message: '`from` must not be after `to`', path: ['from'] });

export const emptyQuery = z.strictObject({});

/** Response shapes, for the OpenAPI document. */
const initiator = z.object({ userId: z.string().nullable(), name: z.string() });
export const runSchema = z.object({
  id: z.string(), tenantId: z.string(), type: z.string(), label: z.string(),
  status: z.enum(STATUSES), outcome: z.enum(OUTCOMES), input: z.record(z.string(), z.unknown()),
  identityHash: z.string(), initiator, surface: z.enum(SURFACES),
  summaryCounts: z.record(z.string(), z.number()),
  failures: z.array(z.object({ code: z.string(), message: z.string(), itemId: z.string().optional() })),
  failureCount: z.number(), context: z.record(z.string(), z.unknown()), attempt: z.number(), cancelRequested: z.boolean(),
  createdAt: z.string(), startedAt: z.string().nullable(), completedAt: z.string().nullable(),
  durationMs: z.number().nullable(), queueWaitMs: z.number().nullable(), expiresAt: z.string(),
});
export const startRunResponse = z.object({ run: runSchema, deduplicated: z.boolean(), viewUrl: z.string() });
export const runListResponse = z.object({ items: z.array(runSchema.omit({ failures: true, input: true })), nextCursor: z.string().nullable() });
export const problemSchema = z.object({
  type: z.string(), title: z.string(), status: z.number(), detail: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export const meResponse = z.object({
  user: z.object({ id: z.string(), name: z.string() }),
  memberships: z.array(z.object({ tenantId: z.string(), tenantName: z.string(), role: z.string() })),
});
