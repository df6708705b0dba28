import { apiHandler } from '../../shared/http/api.js';
import { listSchedulesRoute } from '../../shared/http/backup-schemas.js';
import { toApiSchedule } from '../../shared/http/backup-views.js';

export const handler = apiHandler(listSchedulesRoute, async ({ tenantId, query, deps }) => {
  const page = await deps.stores.schedules.list(tenantId, query.limit, query.cursor);
  return { status: 200, body: { items: page.items.map(toApiSchedule), nextCursor: page.nextCursor } };
});
