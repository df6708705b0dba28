import { apiHandler } from '../../shared/http/api.js';

export const handler = apiHandler({}, async ({ user, deps }) => {
  const memberships = await deps.directory.listMemberships(user.id);
  return {
    status: 200,
    body: {
      user,
      memberships: memberships.sort((a, b) => a.tenantId.localeCompare(b.tenantId)).map(({ tenantId, tenantName, role }) => ({ tenantId, tenantName, role })),
    },
  };
});
