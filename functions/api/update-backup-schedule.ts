import { apiHandler } from '../../shared/http/api.js';
import { updateScheduleBody } from '../../shared/http/backup-schemas.js';
import { toApiSchedule } from '../../shared/http/backup-views.js';
import { problems } from '../../shared/http/problem.js';
import { nextRunAfter } from '../../shared/operations/cron.js';
import type { BackupSchedule } from '../../shared/store/schedule-store.js';
import { VersionConflictError } from '../../shared/store/errors.js';

export const handler = apiHandler({ role: 'manager', body: updateScheduleBody }, async ({ tenantId, params, body, deps }) => {
  const store = deps.stores.schedules;
  // The tick bumps the version when it claims a due time: re-read and re-apply the edit then.
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = await store.get(tenantId, params.scheduleId);
    if (!current) throw problems.notFound('The backup schedule');
    const now = deps.clock();
    const next: BackupSchedule = {
      ...current,
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.cron !== undefined ? { cron: body.cron } : {}),
      ...(body.categories !== undefined ? { categories: body.categories } : {}),
      ...(body.keepLast !== undefined ? { keepLast: body.keepLast } : {}),
      ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
      updatedAt: now.toISOString(),
    };
    // A new cron, or a schedule switched back on, fires next from now; a disabled one has no due time.
    const retime = next.cron !== current.cron || (next.enabled && !current.enabled) || (next.enabled && !current.nextRunAt);
    next.nextRunAt = !next.enabled ? null : retime ? nextRunAfter(next.cron, now) : current.nextRunAt;
    try {
      await store.save(current, next);
      return { status: 200, body: toApiSchedule({ ...next, version: current.version + 1 }) };
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
    }
  }
  throw problems.conflict('The backup schedule kept changing; try again.');
});
