import { apiHandler } from '../../shared/http/api.js';
import { listDriftFindingsRoute } from '../../shared/http/backup-schemas.js';

export const handler = apiHandler(listDriftFindingsRoute, async ({ tenantId, query, deps }) => {
  const page = await deps.stores.drift.list(tenantId, query);
  return { status: 200, body: { items: page.items.map(({ tenantId: _t, ...f }) => f), nextCursor: page.nextCursor } };
});
