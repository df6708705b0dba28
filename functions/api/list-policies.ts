import { apiHandler } from '../../shared/http/api.js';
import { listPoliciesRoute } from '../../shared/http/read-schemas.js';
import { policyStore } from '../../shared/store/stores.js';

export const handler = apiHandler(listPoliciesRoute, async ({ tenantId, query, deps }) => {
  const page = await policyStore(deps.stores).list(tenantId, query);
  const items = page.items.map(({ tenantId: _t, lastSeenRunId: _r, lastChange: _c, ...head }) => head);
  return { status: 200, body: { items, nextCursor: page.nextCursor } };
});
