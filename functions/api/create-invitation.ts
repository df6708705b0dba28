import { ulid } from 'ulid';
import { actorOf, auditPut } from '../../shared/audit/audit.js';
import { apiHandler } from '../../shared/http/api.js';
import { createInvitationRoute } from '../../shared/http/member-schemas.js';
import { toApiInvitation } from '../../shared/http/member-views.js';
import { memberStore } from '../../shared/store/stores.js';

export const handler = apiHandler(createInvitationRoute, async ({ tenantId, membership, body, user, deps }) => {
  const now = deps.clock();
  const inv = await memberStore(deps.stores).invite({
    tenantId, tenantName: membership.tenantName, email: body.email, role: body.role, invitedBy: actorOf(user), id: ulid(now.getTime()), now,
    audit: (i) => auditPut({ tenantId, actor: actorOf(user), action: 'invitation.sent', target: { type: 'invitation', id: i.id, label: i.email }, after: { email: i.email, role: i.role, expiresAt: i.expiresAt } }, now),
  });
  return { status: 201, body: toApiInvitation(inv) };
});
