import { apiHandler } from '../../shared/http/api.js';
import { listMembersRoute } from '../../shared/http/member-schemas.js';
import { memberStore } from '../../shared/store/stores.js';

export const handler = apiHandler(listMembersRoute, async ({ tenantId, query, deps }) => ({
  status: 200,
  body: await memberStore(deps.stores).list(tenantId, query.limit, query.cursor),
}));
