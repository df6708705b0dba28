import { apiHandler } from '../../shared/http/api.js';
import { listInventoryRoute } from '../../shared/http/read-schemas.js';
import { inventoryStore } from '../../shared/store/stores.js';

export const handler = apiHandler(listInventoryRoute, async ({ tenantId, query, deps }) => {
  const page = await inventoryStore(deps.stores).list(tenantId, query);
  const items = page.items.map(({ tenantId: _t, fingerprint: _f, lastSeenRunId: _r, lastChange: _c, ...item }) => item);
  return { status: 200, body: { items, nextCursor: page.nextCursor } };
});
