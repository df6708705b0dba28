import { apiHandler } from '../../shared/http/api.js';
import { getRestoreRoute } from '../../shared/http/backup-schemas.js';
import { problems } from '../../shared/http/problem.js';
import { toApiRestore } from '../../shared/store/restore-store.js';

export const handler = apiHandler(getRestoreRoute, async ({ tenantId, params, deps }) => {
  const restore = await deps.stores.restores.get(tenantId, params.restoreId);
  if (!restore) throw problems.notFound('The restore');
  return { status: 200, body: toApiRestore(restore) };
});
