import { ulid } from 'ulid';
import { actorOf, auditPut, scheduleState } from '../../shared/audit/audit.js';
import { apiHandler } from '../../shared/http/api.js';
import { createScheduleRoute } from '../../shared/http/schedule-schemas.js';
import { toApiSchedule } from '../../shared/http/backup-views.js';
import { newSchedule } from '../../shared/schedules/schedule.js';
import { scheduleStore } from '../../shared/store/stores.js';

export const handler = apiHandler(createScheduleRoute, async ({ tenantId, body, user, deps }) => {
  const now = deps.clock();
  const schedule = newSchedule({
    id: ulid(now.getTime()), tenantId, name: body.name, cron: body.cron, categories: body.categories ?? null, keepLast: body.keepLast, enabled: body.enabled,
  }, now);
  await scheduleStore(deps.stores).create(schedule, [
    auditPut({ tenantId, actor: actorOf(user), action: 'schedule.created', target: { type: 'schedule', id: schedule.id, label: schedule.name }, after: scheduleState(schedule) }, now),
  ]);
  return { status: 201, headers: { location: `/tenants/${encodeURIComponent(tenantId)}/backup-schedules/${schedule.id}` }, body: toApiSchedule(schedule) };
});
