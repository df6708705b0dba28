/**
 * Memberships, invitations and the audit trail (issue 19): validation schemas, OpenAPI docs and the
 * routes (defineRoute). Every route here needs an owner of the tenant.
 */
import * as z from '../zod.js';
import { ROLES } from '../runs/model.js';
import { AUDIT_ACTIONS } from '../store/audit-store.js';
import { cursorParam, defineRoute, limitParam, responseShapes, tenantRoute } from './api.js';
import { pageQuery } from './backup-schemas.js';
import { emptyQuery, problemSchema } from './schemas.js';

export const putMemberBody = z.strictObject({ role: z.enum(ROLES) });
export const createInvitationBody = z.strictObject({
  email: z.pipe(z.pipe(z.string().check(z.trim(), z.maxLength(254)), z.email()), z.transform((e: string) => e.toLowerCase())),
  role: z.enum(ROLES),
});
/** An id the token could carry as `sub` (1–200 characters, printable, no key separator). */
export const userIdParam = z.string().check(z.minLength(1), z.maxLength(200), z.regex(/^[^\s#]+$/, 'not a user id'));
export const invitationIdParam = z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'not an invitation id'));
export const auditQuery = z.strictObject({
  actor: z.optional(userIdParam),
  action: z.optional(z.enum(AUDIT_ACTIONS)),
  limit: limitParam(),
  cursor: cursorParam,
});

/** Response shapes, for the OpenAPI document only: built when it is generated, never at a cold start. */
const shapes = responseShapes(() => {
  const role = z.enum(ROLES);
  const memberSchema = z.object({ userId: z.string(), name: z.string(), role, addedAt: z.string() });
  const invitationSchema = z.object({
    id: z.string(), email: z.string(), role, expiresAt: z.string(), createdAt: z.string(),
    invitedBy: z.object({ userId: z.string(), name: z.string() }),
  });
  const auditEntrySchema = z.object({
    id: z.string(), tenantId: z.string(), actor: z.object({ userId: z.string(), name: z.string() }), action: z.enum(AUDIT_ACTIONS),
    target: z.object({ type: z.string(), id: z.string(), label: z.optional(z.string()) }),
    before: z.optional(z.record(z.string(), z.unknown())), after: z.optional(z.record(z.string(), z.unknown())), at: z.string(),
  });
  return { memberSchema, invitationSchema, auditEntrySchema };
});
const page = <T extends z.ZodMiniType>(item: T) => z.object({ items: z.array(item), nextCursor: z.nullable(z.string()) });
const problem = (description: string) => ({ description, schema: problemSchema });

export const listMembersRoute = defineRoute('GET /tenants/{tenantId}/members', tenantRoute('owner', { query: pageQuery }), {
  summary: "The tenant's members (owner)", responses: { 200: { description: 'ok', schema: () => page(shapes().memberSchema) } },
});
export const putMemberRoute = defineRoute('PUT /tenants/{tenantId}/members/{userId}', tenantRoute('owner', { body: putMemberBody }), {
  summary: "Add a member or change a member's role (owner); effective on the member's next request",
  responses: {
    200: { description: 'the role was changed (or already was this one)', schema: () => shapes().memberSchema },
    201: { description: 'a new member; Location names the membership', schema: () => shapes().memberSchema },
    400: problem('invalid body or user id'),
    409: problem('the change would leave the tenant without an owner, or the membership kept changing'),
    422: problem('no user with this id has signed in yet: invite them by email'),
  },
});
export const deleteMemberRoute = defineRoute('DELETE /tenants/{tenantId}/members/{userId}', tenantRoute('owner', { query: emptyQuery }), {
  summary: 'Remove a member (owner); effective on their next request',
  responses: { 204: { description: 'removed' }, 404: problem('not a member'), 409: problem('the last owner cannot be removed') },
});
export const listInvitationsRoute = defineRoute('GET /tenants/{tenantId}/invitations', tenantRoute('owner', { query: pageQuery }), {
  summary: 'Pending invitations, oldest first (owner)', responses: { 200: { description: 'ok', schema: () => page(shapes().invitationSchema) } },
});
export const createInvitationRoute = defineRoute('POST /tenants/{tenantId}/invitations', tenantRoute('owner', { body: createInvitationBody }), {
  summary: "Invite an email with a role (owner); the first sign-in carrying that email (claim `email` or `preferred_username`) becomes a member at GET /me; expires after 14 days",
  responses: { 201: { description: 'invited', schema: () => shapes().invitationSchema }, 409: problem('this email already has a pending invitation to the tenant') },
});
export const deleteInvitationRoute = defineRoute('DELETE /tenants/{tenantId}/invitations/{invitationId}', tenantRoute('owner', { query: emptyQuery }), {
  summary: 'Revoke a pending invitation (owner)', responses: { 204: { description: 'revoked' }, 404: problem('no such pending invitation') },
});
export const listAuditRoute = defineRoute('GET /tenants/{tenantId}/audit', tenantRoute('owner', { query: auditQuery }), {
  summary: "The tenant's audit trail, newest first (owner); filters `actor` (user id) and `action`",
  responses: { 200: { description: 'ok', schema: () => page(shapes().auditEntrySchema) } },
});
