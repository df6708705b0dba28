import { apiHandler } from '../../shared/http/api.js';
import { listMembersRoute } from '../../shared/http/member-schemas.js';

export const handler = apiHandler(listMembersRoute, async ({ tenantId, query, deps }) => ({
  status: 200,
  body: await deps.stores.members.list(tenantId, query.limit, query.cursor),
}));
