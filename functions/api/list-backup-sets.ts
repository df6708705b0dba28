import { apiHandler } from '../../shared/http/api.js';
import { listBackupSetsRoute } from '../../shared/http/backup-schemas.js';
import { backupStore } from '../../shared/store/stores.js';

export const handler = apiHandler(listBackupSetsRoute, async ({ tenantId, query, deps }) => {
  const page = await backupStore(deps.stores).listSets(tenantId, query.limit, query.cursor);
  return { status: 200, body: page };
});
