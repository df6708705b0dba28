import { apiHandler } from '../../shared/http/api.js';
import { listBackupSetsRoute } from '../../shared/http/backup-schemas.js';

export const handler = apiHandler(listBackupSetsRoute, async ({ tenantId, query, deps }) => {
  const page = await deps.stores.backups.listSets(tenantId, query.limit, query.cursor);
  return { status: 200, body: page };
});
