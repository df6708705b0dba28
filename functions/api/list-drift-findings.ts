import { apiHandler } from '../../shared/http/api.js';
import { listDriftFindingsRoute } from '../../shared/http/backup-schemas.js';
import { driftStore } from '../../shared/store/stores.js';

export const handler = apiHandler(listDriftFindingsRoute, async ({ tenantId, query, deps }) => {
  const page = await driftStore(deps.stores).list(tenantId, query);
  return { status: 200, body: { items: page.items.map(({ tenantId: _t, ...f }) => f), nextCursor: page.nextCursor } };
});
