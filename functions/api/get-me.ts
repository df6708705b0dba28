import { apiHandler } from '../../shared/http/api.js';
import { meRoute } from '../../shared/http/schemas.js';

export const handler = apiHandler(meRoute, async ({ user, deps }) => {
  const memberships = await deps.directory.listMemberships(user.id);
  return {
    status: 200,
    body: {
      user,
      memberships: memberships.sort((a, b) => a.tenantId.localeCompare(b.tenantId)).map(({ tenantId, tenantName, role }) => ({ tenantId, tenantName, role })),
    },
  };
});
