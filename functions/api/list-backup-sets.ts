import { apiHandler } from '../../shared/http/api.js';
import { pageQuery } from '../../shared/http/backup-schemas.js';
import { BackupStore } from '../../shared/store/backup-store.js';

export const handler = apiHandler({ role: 'readonly', query: pageQuery }, async ({ tenantId, query, deps }) => {
  const page = await new BackupStore(deps.doc, deps.table).listSets(tenantId, query.limit, query.cursor);
  return { status: 200, body: page };
});
