import { apiHandler } from '../../shared/http/api.js';
import { listAuditRoute } from '../../shared/http/member-schemas.js';
import { auditStore } from '../../shared/store/stores.js';

export const handler = apiHandler(listAuditRoute, async ({ tenantId, query, deps }) => ({
  status: 200,
  body: await auditStore(deps.stores).list(tenantId, { actor: query.actor, action: query.action, limit: query.limit, cursor: query.cursor }),
}));
