import { apiHandler } from '../../shared/http/api.js';
import { listSchedulesRoute } from '../../shared/http/backup-schemas.js';
import { toApiSchedule } from '../../shared/http/backup-views.js';
import { scheduleStore } from '../../shared/store/stores.js';

export const handler = apiHandler(listSchedulesRoute, async ({ tenantId, query, deps }) => {
  const page = await scheduleStore(deps.stores).list(tenantId, query.limit, query.cursor);
  return { status: 200, body: { items: page.items.map(toApiSchedule), nextCursor: page.nextCursor } };
});
