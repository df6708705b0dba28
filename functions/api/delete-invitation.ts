import { actorOf, auditPut } from '../../shared/audit/audit.js';
import { apiHandler } from '../../shared/http/api.js';
import { deleteInvitationRoute, invitationIdParam } from '../../shared/http/member-schemas.js';
import { problems } from '../../shared/http/problem.js';
import { memberStore } from '../../shared/store/stores.js';

export const handler = apiHandler(deleteInvitationRoute, async ({ tenantId, params, user, deps }) => {
  if (!invitationIdParam.safeParse(params.invitationId).success) throw problems.notFound('The invitation');
  const now = deps.clock();
  const revoked = await memberStore(deps.stores).revoke({
    tenantId, id: params.invitationId, actorId: user.id, now,
    audit: (i) => auditPut({ tenantId, actor: actorOf(user), action: 'invitation.revoked', target: { type: 'invitation', id: i.id, label: i.email }, before: { email: i.email, role: i.role } }, now),
  });
  if (!revoked) throw problems.notFound('The invitation');
  return { status: 204 };
});
