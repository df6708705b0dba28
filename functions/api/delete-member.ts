import { actorOf, auditPut } from '../../shared/audit/audit.js';
import { apiHandler } from '../../shared/http/api.js';
import { deleteMemberRoute } from '../../shared/http/member-schemas.js';
import { problems } from '../../shared/http/problem.js';
import { memberStore } from '../../shared/store/stores.js';

export const handler = apiHandler(deleteMemberRoute, async ({ tenantId, params, user, deps }) => {
  const now = deps.clock();
  const removed = await memberStore(deps.stores).remove({
    tenantId, userId: params.userId, actorId: user.id,
    audit: (prev) => auditPut({ tenantId, actor: actorOf(user), action: 'member.removed', target: { type: 'member', id: prev.userId, label: prev.name }, before: { role: prev.role } }, now),
  });
  if (!removed) throw problems.notFound('The member');
  return { status: 204 };
});
