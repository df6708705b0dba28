import { apiHandler } from '../../shared/http/api.js';
import { getScheduleRoute } from '../../shared/http/backup-schemas.js';
import { toApiHistory, toApiSchedule } from '../../shared/http/backup-views.js';
import { problems } from '../../shared/http/problem.js';
import { runStore, scheduleStore } from '../../shared/store/stores.js';

const HISTORY = 10;

export const handler = apiHandler(getScheduleRoute, async ({ tenantId, params, deps }) => {
  const store = scheduleStore(deps.stores);
  const schedule = await store.get(tenantId, params.scheduleId);
  if (!schedule) throw problems.notFound('The backup schedule');
  const history = await store.history(tenantId, schedule.id, HISTORY);
  // Only entries not closed by their executor need their run (a handful at most).
  const runs = await Promise.all(history.map((h) => (h.status === 'queued' || h.status === 'running' ? runStore(deps.stores).getRun(tenantId, h.runId) : null)));
  return { status: 200, body: { ...toApiSchedule(schedule), history: history.map((h, i) => toApiHistory(h, runs[i])) } };
});
