import { auditPut } from '../../shared/audit/audit.js';
import { apiHandler } from '../../shared/http/api.js';
import { meRoute } from '../../shared/http/schemas.js';
import { memberStore } from '../../shared/store/stores.js';

/**
 * GET /me is where a sign-in is observed (issue 19): the console calls it first after signing in, and
 * an API client learns its tenants from it. When the token carries an email (claim `email`, else an
 * address in `preferred_username`), the email's pending invitations — one strongly consistent Query,
 * nothing when there are none — become memberships here, each exactly once, before the memberships
 * are read. Other routes never write on the caller's behalf, so a refused request still writes nothing.
 */
export const handler = apiHandler(meRoute, async ({ user, deps }) => {
  if (user.email) {
    const now = deps.clock();
    for (const inv of await memberStore(deps.stores).pendingFor(user.email, now)) {
      await memberStore(deps.stores).accept(inv, user, now, (member, already) => auditPut({
        tenantId: inv.tenantId, actor: { userId: user.id, name: user.name }, action: 'invitation.accepted',
        target: { type: 'invitation', id: inv.id, label: inv.email },
        after: { userId: user.id, role: member.role, ...(already ? { alreadyMember: true } : {}) },
      }, now));
    }
  }
  const memberships = await deps.directory.listMemberships(user.id);
  return {
    status: 200,
    body: {
      user: { id: user.id, name: user.name },
      memberships: memberships.sort((a, b) => a.tenantId.localeCompare(b.tenantId)).map(({ tenantId, tenantName, role }) => ({ tenantId, tenantName, role })),
    },
  };
});
