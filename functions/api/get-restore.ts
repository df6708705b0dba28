import { apiHandler } from '../../shared/http/api.js';
import { getRestoreRoute } from '../../shared/http/backup-schemas.js';
import { problems } from '../../shared/http/problem.js';
import { toApiRestore } from '../../shared/store/restore-store.js';
import { restoreStore } from '../../shared/store/stores.js';

/** The restore's summary and one page of its item results (SPEC §5: "paginated when large"). */
export const handler = apiHandler(getRestoreRoute, async ({ tenantId, params, query, deps }) => {
  const store = restoreStore(deps.stores);
  const restore = await store.get(tenantId, params.restoreId);
  if (!restore) throw problems.notFound('The restore');
  const { items, nextCursor } = await store.pageOfItems(tenantId, restore.id, { limit: query.limit, cursor: query.cursor });
  return { status: 200, body: { ...toApiRestore(restore), items, nextCursor } };
});
