import { apiHandler } from '../../shared/http/api.js';
import { pageQuery } from '../../shared/http/backup-schemas.js';


export const handler = apiHandler({ role: 'readonly', query: pageQuery }, async ({ tenantId, query, deps }) => {
  const page = await deps.stores.backups.listSets(tenantId, query.limit, query.cursor);
  return { status: 200, body: page };
});
