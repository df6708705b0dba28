import { actorOf, auditPut, scheduleState } from '../../shared/audit/audit.js';
import { apiHandler } from '../../shared/http/api.js';
import { updateScheduleRoute } from '../../shared/http/schedule-schemas.js';
import { toApiSchedule } from '../../shared/http/backup-views.js';
import { problems } from '../../shared/http/problem.js';
import { updateSchedule } from '../../shared/schedules/schedule.js';
import { scheduleStore } from '../../shared/store/stores.js';

export const handler = apiHandler(updateScheduleRoute, async ({ tenantId, params, body, user, deps }) => {
  const result = await updateSchedule(scheduleStore(deps.stores), tenantId, params.scheduleId, body, deps.clock, 3, (prev, next) => [
    auditPut({
      tenantId, actor: actorOf(user), action: 'schedule.changed', target: { type: 'schedule', id: prev.id, label: next.name },
      before: scheduleState(prev), after: scheduleState(next),
    }, deps.clock()),
  ]);
  if (result.kind === 'not_found') throw problems.notFound('The backup schedule');
  if (result.kind === 'conflict') throw problems.conflict('The backup schedule kept changing; try again.');
  return { status: 200, body: toApiSchedule(result.schedule) };
});
