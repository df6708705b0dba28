import { makeStores } from '../../shared/store/stores.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerTestEnv } from '../support/worker-env.js';
import { putSchedule, startChecked } from '../support/backup-fixtures.js';
import { runBackupTick } from '../../shared/operations/backup-tick.js';
import { ScheduleStore } from '../../shared/store/schedule-store.js';
import { BackupStore } from '../../shared/store/backup-store.js';
import { PreconditionFailedError } from '../../shared/runs/errors.js';

let env: Awaited<ReturnType<typeof workerTestEnv>>;
let schedules: ScheduleStore;
let sets: BackupStore;
beforeAll(async () => {
  env = await workerTestEnv();
  schedules = new ScheduleStore(env.doc, env.table);
  sets = new BackupStore(env.doc, env.table);
});
afterAll(() => env?.stop());

const tickDeps = () => ({ stores: makeStores({ doc: env.doc, table: env.table }), service: env.deps.service, clock: () => new Date() });
const tick = (now = new Date()) => runBackupTick(tickDeps(), now);
// Lists answer summaries (no input): read each run's detail, as the console does.
const details = async (type: string) =>
  Promise.all((await env.store.listRuns('contoso', { type }, 100)).items.map(async (r) => (await env.store.getRun('contoso', r.id))!));
const runNowRuns = () => details('backup_schedule.run_now');
const DUE = '2026-01-01T02:00:00.000Z';
const compliancePolicyIds = () => env.sim.policies('contoso').filter((p) => p.category === 'deviceCompliancePolicies').map((p) => p.id);

describe('the scheduler tick', () => {
  it('two ticks for the same due time start one run, surfaced as the Scheduler', async () => {
    await putSchedule(env.doc, env.table, { id: 'twice' });
    const before = (await runNowRuns()).length;
    const first = await tick();
    const second = await tick();
    expect(first.started).toHaveLength(1);
    expect(second.started).toHaveLength(0);
    const runs = await runNowRuns();
    expect(runs.length - before).toBe(1);
    const run = runs.find((r) => r.id === first.started[0])!;
    expect(run).toMatchObject({ surface: 'schedule', initiator: { userId: null, name: 'Scheduler' }, input: { scheduleId: 'twice' } });
    const schedule = (await schedules.get('contoso', 'twice'))!;
    expect(Date.parse(schedule.nextRunAt!)).toBeGreaterThan(Date.now());
    expect(schedule.lastRunId).toBe(run.id);
    const [entry] = await schedules.history('contoso', 'twice');
    expect(entry).toMatchObject({ runId: run.id, scheduledFor: DUE, status: 'queued', backupSetId: run.context.backupSetId });
    await env.drain();
    // A tick repeated with the same clock after that run ended still finds nothing due.
    expect((await tick()).started).toHaveLength(0);
  });

  it('two concurrent ticks start one run, decided by the claim (not by the active-run dedupe)', async () => {
    await putSchedule(env.doc, env.table, { id: 'concurrent' });
    const results = await Promise.all([tick(), tick(), tick()]);
    const started = results.flatMap((r) => r.started);
    const mine = (await runNowRuns()).filter((r) => r.input.scheduleId === 'concurrent');
    expect(mine).toHaveLength(1);
    expect(started).toContain(mine[0].id);
    // Losers lost the claim; none reached the start (a dedupe would have recorded an already_running skip).
    expect((await schedules.get('contoso', 'concurrent'))!.lastSkip).toBeNull();
    await env.drain();
  });

  it('a claim only succeeds for the due time it read', async () => {
    await putSchedule(env.doc, env.table, { id: 'claim' });
    const now = new Date().toISOString();
    expect(await schedules.claimDue('contoso', 'claim', DUE, '2099-01-01T02:00:00.000Z', now)).toBe(true);
    expect(await schedules.claimDue('contoso', 'claim', DUE, '2099-01-02T02:00:00.000Z', now)).toBe(false);
  });

  it('a disabled schedule is not due', async () => {
    await putSchedule(env.doc, env.table, { id: 'off', enabled: false });
    const result = await tick();
    expect(result.started.length + result.skipped.filter((s) => s.scheduleId === 'off').length).toBe(0);
  });

  it('a tick while a manual run of the schedule is active records the skip and its reason', async () => {
    await putSchedule(env.doc, env.table, { id: 'busy', nextRunAt: '2099-01-01T00:00:00.000Z' });
    const { run: manual } = await startChecked(env, 'backup_schedule.run_now', { scheduleId: 'busy' });
    const store = new ScheduleStore(env.doc, env.table);
    const s = (await store.get('contoso', 'busy'))!;
    await store.save(s, { ...s, nextRunAt: DUE });
    const result = await tick();
    expect(result.skipped).toContainEqual({ scheduleId: 'busy', tenantId: 'contoso', reason: 'already_running', runId: manual.id });
    expect(result.started).toHaveLength(0);
    const after = (await store.get('contoso', 'busy'))!;
    expect(after.lastSkip).toMatchObject({ reason: 'already_running', runId: manual.id, scheduledFor: DUE });
    expect(Date.parse(after.nextRunAt!)).toBeGreaterThan(Date.now());
    await env.drain();
  });
});

describe('backup_schedule.run_now', () => {
  it('backs up the selection into a new set and prunes to exactly keepLast sets', async () => {
    await putSchedule(env.doc, env.table, { id: 'prune', keepLast: 2 });
    const runIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { run } = await startChecked(env, 'backup_schedule.run_now', { scheduleId: 'prune' });
      await env.drain();
      runIds.push(run.id);
    }
    const runs = await Promise.all(runIds.map((id) => env.store.getRun('contoso', id)));
    for (const run of runs) expect(run).toMatchObject({ status: 'completed', outcome: 'succeeded', context: { scheduleId: 'prune' } });
    const setIds = runs.map((r) => r!.context.backupSetId as string);
    const kept = await sets.setsOfSchedule('contoso', 'prune');
    expect(kept.sort()).toEqual(setIds.slice(1).sort());
    expect(await sets.getSet('contoso', setIds[0])).toBeNull();
    expect(await sets.listItems('contoso', setIds[0])).toHaveLength(0);
    const newest = (await sets.getSet('contoso', setIds[2]))!;
    expect(newest).toMatchObject({ status: 'complete', itemCount: compliancePolicyIds().length, scheduleId: 'prune' });
    expect(newest.name).toMatch(/^Schedule prune \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
    expect(runs[2]!.summaryCounts).toMatchObject({ created: compliancePolicyIds().length, pruned: 1, failed: 0 });
    const history = await schedules.history('contoso', 'prune');
    expect(history.map((h) => h.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  });

  it('refuses an unknown schedule at start (422) and writes nothing', async () => {
    const before = (await runNowRuns()).length;
    await expect(startChecked(env, 'backup_schedule.run_now', { scheduleId: 'nope' })).rejects.toBeInstanceOf(PreconditionFailedError);
    expect((await runNowRuns()).length).toBe(before);
  });
});

describe('backup_schedule.retry', () => {
  it('re-attempts only the items that failed, into the same set', async () => {
    await putSchedule(env.doc, env.table, { id: 'retry' });
    const ids = compliancePolicyIds();
    const forbidden = ids.slice(0, 2);
    env.sim.setFaults({ forbidden });
    const { run } = await startChecked(env, 'backup_schedule.run_now', { scheduleId: 'retry' });
    await env.drain();
    env.sim.setFaults({});
    const failedRun = (await env.store.getRun('contoso', run.id))!;
    expect(failedRun).toMatchObject({ outcome: 'partially_succeeded', failureCount: 2 });
    const entry = (await schedules.getScheduleRun('contoso', 'retry', run.id))!;
    expect(entry.failedItemCount).toBe(2);
    expect((await schedules.failedItemsPage('contoso', 'retry', run.id, null, 100)).items).toEqual(forbidden.map((id) => `deviceCompliancePolicies/${id}`).sort());
    const setId = failedRun.context.backupSetId as string;
    expect((await sets.getSet('contoso', setId))!.itemCount).toBe(ids.length - 2);

    const seen = env.sim.requests.length;
    const { run: retry } = await startChecked(env, 'backup_schedule.retry', { scheduleId: 'retry', runId: run.id });
    await env.drain();
    const done = (await env.store.getRun('contoso', retry.id))!;
    expect(done).toMatchObject({ outcome: 'succeeded', context: { backupSetId: setId, retryOfRunId: run.id } });
    expect(done.summaryCounts).toMatchObject({ total: 2, created: 2, failed: 0, skipped: 0 });
    const touched = new Set(env.sim.requests.slice(seen).filter((r) => r.path.startsWith('deviceManagement/')).map((r) => r.path.split('?')[0].split('/')[2]));
    expect([...touched].sort()).toEqual([...forbidden].sort());
    expect((await sets.getSet('contoso', setId))!.itemCount).toBe(ids.length);
    expect((await schedules.getScheduleRun('contoso', 'retry', retry.id))!).toMatchObject({ type: 'backup_schedule.retry', status: 'succeeded', retryOfRunId: run.id });
  });

  it('refuses (422) an unknown run, a run of another schedule and a run that succeeded', async () => {
    await putSchedule(env.doc, env.table, { id: 'retry-other' });
    const { run: ok } = await startChecked(env, 'backup_schedule.run_now', { scheduleId: 'retry-other' });
    await env.drain();
    const refused = (input: Record<string, unknown>) => startChecked(env, 'backup_schedule.retry', input).then(() => null, (e) => e);
    expect(await refused({ scheduleId: 'retry-other', runId: '01JUNKNOWNRUN0000000000000' })).toBeInstanceOf(PreconditionFailedError);
    expect(await refused({ scheduleId: 'retry-other', runId: ok.id })).toMatchObject({ message: expect.stringContaining('Only a failed or partially succeeded run') });
    const other = (await runNowRuns()).find((r) => r.input.scheduleId === 'prune')!;
    expect(await refused({ scheduleId: 'retry-other', runId: other.id })).toMatchObject({ message: expect.stringContaining('is not a backup run of schedule') });
    expect(await refused({ scheduleId: 'ghost', runId: ok.id })).toBeInstanceOf(PreconditionFailedError);
    expect((await details('backup_schedule.retry')).filter((r) => r.input.scheduleId === 'retry-other')).toHaveLength(0);
  });
});
