import { apiHandler } from '../../shared/http/api.js';
import { getBackupSetRoute } from '../../shared/http/backup-schemas.js';
import { problems } from '../../shared/http/problem.js';
import { backupStore } from '../../shared/store/stores.js';

/** The set and one page of its item summaries (`items`, `nextCursor`); content: get-backup-item.ts. */
export const handler = apiHandler(getBackupSetRoute, async ({ tenantId, params, query, deps }) => {
  const store = backupStore(deps.stores);
  const set = await store.getSet(tenantId, params.backupSetId);
  if (!set) throw problems.notFound('The backup set');
  const { items, nextCursor } = await store.pageOfSummaries(tenantId, set.id, query.limit, query.cursor);
  return { status: 200, body: { ...set, items, nextCursor } };
});
