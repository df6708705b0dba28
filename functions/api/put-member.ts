import { actorOf, auditPut } from '../../shared/audit/audit.js';
import { apiHandler } from '../../shared/http/api.js';
import { putMemberRoute, userIdParam } from '../../shared/http/member-schemas.js';
import { problems } from '../../shared/http/problem.js';
import { PreconditionFailedError } from '../../shared/runs/errors.js';
import { memberStore } from '../../shared/store/stores.js';

// 200 with the membership when it changed (or already was this role, nothing written); 201 + Location when new.
export const handler = apiHandler(putMemberRoute, async ({ tenantId, membership, params, body, user, deps }) => {
  if (!userIdParam.safeParse(params.userId).success) throw problems.badRequest('The user id is not valid.', [{ path: 'userId', message: 'not a user id' }]);
  const target = await deps.directory.getUser(params.userId);
  if (!target) throw new PreconditionFailedError('No user with this id has signed in yet: invite them by email instead.', [{ path: 'userId', message: 'unknown user' }]);
  const now = deps.clock();
  const { before, after } = await memberStore(deps.stores).setRole({
    tenantId, tenantName: membership.tenantName, user: target, role: body.role, actorId: user.id, now,
    audit: (prev, next) => auditPut({
      tenantId, actor: actorOf(user), action: prev ? 'member.role_changed' : 'member.added',
      target: { type: 'member', id: next.userId, label: next.name }, ...(prev ? { before: { role: prev.role } } : {}), after: { role: next.role },
    }, now),
  });
  if (before) return { status: 200, body: after };
  return { status: 201, headers: { location: `/tenants/${encodeURIComponent(tenantId)}/members/${encodeURIComponent(after.userId)}` }, body: after };
});
