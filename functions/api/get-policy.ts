import { apiHandler } from '../../shared/http/api.js';
import { getPolicyRoute } from '../../shared/http/read-schemas.js';
import { problems } from '../../shared/http/problem.js';
import { policyStore } from '../../shared/store/stores.js';

export const handler = apiHandler(getPolicyRoute, async ({ tenantId, params, query, deps }) => {
  const store = policyStore(deps.stores);
  const head = await store.getHead(tenantId, params.policyId);
  if (!head) throw problems.notFound('The policy');
  const versions = await store.versions(tenantId, params.policyId, query.versions);
  const { tenantId: _t, lastSeenRunId: _r, lastChange: _c, ...rest } = head;
  return {
    status: 200,
    body: { ...rest, versions: versions.map(({ tenantId: _vt, policyId: _p, ...v }) => v) },
  };
});
