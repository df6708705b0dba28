import { apiHandler } from '../../shared/http/api.js';
import { listRunsRoute } from '../../shared/http/schemas.js';
import { toRunSummary } from '../../shared/runs/model.js';
import { runStore } from '../../shared/store/stores.js';

export const handler = apiHandler(listRunsRoute, async ({ tenantId, query, deps }) => {
  const { limit, cursor, ...filter } = query;
  const page = await runStore(deps.stores).listRuns(tenantId, filter, limit, cursor);
  return { status: 200, body: { items: page.items.map(toRunSummary), nextCursor: page.nextCursor } };
});
