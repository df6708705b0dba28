import { apiHandler } from '../../shared/http/api.js';
import { getBackupItemRoute } from '../../shared/http/backup-schemas.js';
import { problems } from '../../shared/http/problem.js';
import { backupStore } from '../../shared/store/stores.js';

/** One item of a backup set with its content (the set's pages list summaries only). */
export const handler = apiHandler(getBackupItemRoute, async ({ tenantId, params, deps }) => {
  const item = await backupStore(deps.stores).getItem(tenantId, params.backupSetId, params.policyId);
  if (!item) throw problems.notFound('The backup item');
  const { tenantId: _t, ...body } = item;
  return { status: 200, body };
});
