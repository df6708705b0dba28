import { actorOf, auditPut, scheduleState } from '../../shared/audit/audit.js';
import { apiHandler } from '../../shared/http/api.js';
import { deleteScheduleRoute } from '../../shared/http/backup-schemas.js';
import { problems } from '../../shared/http/problem.js';
import { scheduleStore } from '../../shared/store/stores.js';

// The schedule's backup sets stay: they are backups, not part of the schedule.
export const handler = apiHandler(deleteScheduleRoute, async ({ tenantId, params, user, deps }) => {
  const deleted = await scheduleStore(deps.stores).delete(tenantId, params.scheduleId, (s) => [
    auditPut({ tenantId, actor: actorOf(user), action: 'schedule.deleted', target: { type: 'schedule', id: s.id, label: s.name }, before: scheduleState(s) }, deps.clock()),
  ]);
  if (!deleted) throw problems.notFound('The backup schedule');
  return { status: 204 };
});
