import { ulid } from 'ulid';
import { apiHandler } from '../../shared/http/api.js';
import { createScheduleRoute } from '../../shared/http/backup-schemas.js';
import { toApiSchedule } from '../../shared/http/backup-views.js';
import { nextRunAfter } from '../../shared/operations/cron.js';
import { type BackupSchedule } from '../../shared/store/schedule-store.js';

export const handler = apiHandler(createScheduleRoute, async ({ tenantId, body, deps }) => {
  const now = deps.clock();
  const schedule: BackupSchedule = {
    id: ulid(now.getTime()), tenantId, name: body.name, cron: body.cron, categories: body.categories ?? null, keepLast: body.keepLast,
    enabled: body.enabled, nextRunAt: body.enabled ? nextRunAfter(body.cron, now) : null, lastRunId: null, lastSkip: null,
    createdAt: now.toISOString(), updatedAt: now.toISOString(), version: 1,
  };
  await deps.stores.schedules.create(schedule);
  return { status: 201, headers: { location: `/tenants/${encodeURIComponent(tenantId)}/backup-schedules/${schedule.id}` }, body: toApiSchedule(schedule) };
});
