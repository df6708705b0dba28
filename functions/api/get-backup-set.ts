import { apiHandler } from '../../shared/http/api.js';
import { getBackupSetRoute } from '../../shared/http/backup-schemas.js';
import { problems } from '../../shared/http/problem.js';

export const handler = apiHandler(getBackupSetRoute, async ({ tenantId, params, deps }) => {
  const store = deps.stores.backups;
  const set = await store.getSet(tenantId, params.backupSetId);
  if (!set) throw problems.notFound('The backup set');
  const items = (await store.listItems(tenantId, set.id)).map(({ tenantId: _t, backupSetId: _b, ...item }) => item);
  return { status: 200, body: { ...set, items } };
});
