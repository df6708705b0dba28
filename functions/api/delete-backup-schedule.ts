import { apiHandler } from '../../shared/http/api.js';
import { problems } from '../../shared/http/problem.js';
import { emptyQuery } from '../../shared/http/schemas.js';


// The schedule's backup sets stay: they are backups, not part of the schedule.
export const handler = apiHandler({ role: 'manager', query: emptyQuery }, async ({ tenantId, params, deps }) => {
  if (!(await deps.stores.schedules.delete(tenantId, params.scheduleId))) throw problems.notFound('The backup schedule');
  return { status: 204 };
});
