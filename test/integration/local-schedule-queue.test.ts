/**
 * The local runtime's tick goes through the schedule queue like AWS (issue 16): the tick handler
 * only sends; the runtime's schedule-queue poller runs the schedule starter, which starts the run.
 */
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { handler as tick } from '../../functions/schedules/backup-tick.js';
import { ScheduleStore } from '../../shared/store/schedule-store.js';
import { queues, TICK_TIMEOUT_SECONDS } from '../../shared/wiring.js';
import { putSchedule } from '../support/backup-fixtures.js';
import { startTestRuntime } from '../support/api.js';

let api: Awaited<ReturnType<typeof startTestRuntime>>;
beforeAll(async () => {
  api = await startTestRuntime({ background: true });
});
afterAll(() => api?.runtime.stop());

describe('local schedule fan-out', () => {
  it('a minute tick sends each due schedule to the schedule queue, and the starter polling it starts the run once', async () => {
    const doc = api.doc;
    const table = api.runtime.tableName;
    const id = ulid();
    await putSchedule(doc, table, { id, tenantId: 'contoso', nextRunAt: '2026-01-01T02:00:00.000Z' });
    expect(api.runtime.scheduleQueueUrl).toContain(queues.schedule.name);
    const sent = await tick({}, lambdaContext('backup-schedule-tick', TICK_TIMEOUT_SECONDS));
    // The seeded Nightly schedule is not due yet: only ours is sent.
    expect(sent).toEqual({ enqueued: 1, complete: true });
    const store = new ScheduleStore(doc, table);
    let schedule = await store.get('contoso', id);
    while (!schedule?.lastRunId) {
      await new Promise((r) => setTimeout(r, 100));
      schedule = await store.get('contoso', id);
    }
    const history = await store.history('contoso', id);
    expect(history).toHaveLength(1);
    expect(history[0].runId).toBe(schedule.lastRunId);
    const run = await api.call('GET', `/tenants/contoso/runs/${schedule.lastRunId}`, { user: 'alice' });
    expect(run.status).toBe(200);
    expect(run.json).toMatchObject({ type: 'backup_schedule.run_now', surface: 'schedule', initiator: { name: 'Scheduler' } });
  });
});
