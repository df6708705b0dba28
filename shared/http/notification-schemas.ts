/**
 * The notification endpoints' validation schemas (SPEC §5, §7) and their OpenAPI entries: the
 * handlers validate with these, and /openapi.json documents the same schemas.
 */
import * as z from '../zod.js';
import { NOTIFICATION_KINDS } from '../notifications/model.js';
import { OUTCOMES } from '../runs/model.js';
import { cursorParam, defineRoute, limitParam, userRoute } from './api.js';
import { emptyQuery, problemSchema } from './schemas.js';

export const listNotificationsQuery = z.strictObject({
  /** only this tenant's; a tenant the caller is not in simply has none of theirs */
  tenantId: z.optional(z.string().check(z.minLength(1), z.maxLength(200), z.regex(/^[A-Za-z0-9._-]+$/, 'must be a tenant id'))),
  /** `true`: only unread ones */
  unread: z.optional(z.pipe(z.enum(['true', 'false']), z.transform((v) => v === 'true'))),
  limit: limitParam(),
  cursor: cursorParam,
});

/** Response shapes, for the OpenAPI document only: built when it is generated, never at a cold start. */
const notificationSchema = () => z.object({
  id: z.string(),
  tenantId: z.string(),
  runId: z.string(),
  kind: z.enum(NOTIFICATION_KINDS),
  title: z.string(),
  body: z.string(),
  outcome: z.optional(z.enum(OUTCOMES.filter((o) => o !== 'pending') as [string, ...string[]])),
  viewUrl: z.string(),
  createdAt: z.string(),
  readAt: z.nullable(z.string()),
});

export const notificationListResponse = () => z.object({ items: z.array(notificationSchema()), nextCursor: z.nullable(z.string()) });

export const listNotificationsRoute = defineRoute('GET /me/notifications', userRoute({ query: listNotificationsQuery }), {
  summary: "The caller's notifications, newest first",
  responses: {
    200: { description: 'ok', schema: notificationListResponse },
    400: { description: 'a bad filter or cursor', schema: problemSchema },
  },
});

export const readNotificationRoute = defineRoute('POST /me/notifications/{notificationId}/read', userRoute({ query: emptyQuery }), {
  summary: 'Mark one of your notifications read (idempotent)',
  responses: {
    204: { description: 'marked read (or already was)' },
    404: { description: 'no such notification of yours', schema: problemSchema },
  },
});
