import { apiHandler } from '../../shared/http/api.js';
import { listTenantsRoute } from '../../shared/http/tenant-schemas.js';
import { tenantView } from '../../shared/http/tenants.js';
import { directoryStore } from '../../shared/store/stores.js';

export const handler = apiHandler(listTenantsRoute, async ({ query, deps }) => {
  const page = await directoryStore(deps.stores).listTenants(query.limit, query.cursor);
  return { status: 200, body: { items: page.items.map(tenantView), nextCursor: page.nextCursor } };
});
