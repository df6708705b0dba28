import { apiHandler } from '../../shared/http/api.js';
import { listAuditRoute } from '../../shared/http/member-schemas.js';

export const handler = apiHandler(listAuditRoute, async ({ tenantId, query, deps }) => ({
  status: 200,
  body: await deps.stores.audit.list(tenantId, { actor: query.actor, action: query.action, limit: query.limit, cursor: query.cursor }),
}));
