import { apiHandler } from '../../shared/http/api.js';
import { listPoliciesRoute } from '../../shared/http/read-schemas.js';

export const handler = apiHandler(listPoliciesRoute, async ({ tenantId, query, deps }) => {
  const page = await deps.stores.policies.list(tenantId, query);
  const items = page.items.map(({ tenantId: _t, lastSeenRunId: _r, lastChange: _c, ...head }) => head);
  return { status: 200, body: { items, nextCursor: page.nextCursor } };
});
