import { apiHandler } from '../../shared/http/api.js';
import { deleteScheduleRoute } from '../../shared/http/backup-schemas.js';
import { problems } from '../../shared/http/problem.js';

// The schedule's backup sets stay: they are backups, not part of the schedule.
export const handler = apiHandler(deleteScheduleRoute, async ({ tenantId, params, deps }) => {
  if (!(await deps.stores.schedules.delete(tenantId, params.scheduleId))) throw problems.notFound('The backup schedule');
  return { status: 204 };
});
