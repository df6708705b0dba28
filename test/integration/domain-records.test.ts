/**
 * Issue 14: a run's domain records follow it to the end, in the same transaction — whichever path
 * completes the run (the worker honouring a cancel, a dispatch failure, the reaper, the DLQ handler).
 * Real executors against the simulated Graph; GET /tenants/{t}/restores/{id} through its real handler.
 */
import { auditPut } from '../../shared/audit/audit.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIGatewayProxyStructuredResultV2, SQSRecord } from 'aws-lambda';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ulid } from 'ulid';
import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { workerTestEnv } from '../support/worker-env.js';
import { alice, putSchedule, startChecked } from '../support/backup-fixtures.js';
import { makeApiDeps, setApiDeps } from '../../shared/http/deps.js';
import { seedDemo } from '../../infra/local/seed.js';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { CATALOG, planStart } from '../../shared/operations/catalog.js';
import { RunService, claimRun } from '../../shared/runs/service.js';
import { DispatchFailedError } from '../../shared/runs/errors.js';
import { reapLostRuns, REAPER_GRACE_MS } from '../../shared/operations/reaper.js';
import { failExhaustedRun } from '../../shared/operations/dead-letters.js';
import { makeStores, type Stores } from '../../shared/store/stores.js';
import { keys } from '../../shared/store/keys.js';
import { RunRowStore } from '../../shared/store/run-rows.js';
import type { Run } from '../../shared/runs/model.js';

type Handler = (event: unknown, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;

let env: Awaited<ReturnType<typeof workerTestEnv>>;
let stores: Stores;
let setId: string;

beforeAll(async () => {
  // A checkpoint after every chunk (5 items), so a cancel lands mid-way through a restore.
  env = await workerTestEnv({ settings: { checkpointEveryItems: 5 } });
  stores = makeStores({ doc: env.doc, table: env.table });
  setApiDeps(makeApiDeps({ doc: env.doc, table: env.table, queue: env.queue }));
  await seedDemo({ doc: env.doc, table: env.table }, []);
  // seedDemo wrote the tenants without Graph settings: point them at the simulated Graph again.
  for (const id of ['contoso', 'fabrikam']) await env.directory.putTenant({ id, name: id, graph: env.sim.settingsFor(id) });
  for (const type of ['policy.sync', 'directory_groups.sync'] as const) await env.start(type);
  await env.drain();
  setId = ulid();
  await stores.backups.createSet({ id: setId, tenantId: 'contoso', name: 'restore source', status: 'complete', itemCount: 0, createdAt: new Date().toISOString(), createdBy: alice, scheduleId: null, runId: null, completedAt: null });
  const { run } = await startChecked(env, 'backup_set.add_policies', { backupSetId: setId, policyIds: env.sim.policies('contoso').map((p) => p.id) });
  await env.drain();
  expect((await env.store.getRun('contoso', run.id))!.outcome).toBe('succeeded');
});
afterAll(async () => {
  setApiDeps(undefined);
  await env?.stop();
});

async function getRestore(restoreId: string, user = 'carol') {
  const { routes } = await import('../../shared/wiring.js');
  const routePath = '/tenants/{tenantId}/restores/{restoreId}';
  const route = routes.find((r) => r.method === 'GET' && r.path === routePath)!;
  const handler: Handler = (await import(/* @vite-ignore */ pathToFileURL(path.resolve(route.entry)).href)).handler;
  const p = `/tenants/contoso/restores/${encodeURIComponent(restoreId)}`;
  const res = await handler({
    version: '2.0', routeKey: `GET ${routePath}`, rawPath: p, rawQueryString: '', headers: {}, pathParameters: { tenantId: 'contoso', restoreId }, isBase64Encoded: false,
    requestContext: { requestId: 'test', routeKey: `GET ${routePath}`, http: { method: 'GET', path: p }, authorizer: { jwt: { claims: { sub: user, name: user }, scopes: [] } } },
  }, lambdaContext(route.entry));
  return { status: res.statusCode!, body: res.body ? JSON.parse(res.body) : undefined };
}

const restoreIdOf = (run: Run) => (run.context as { restoreId: string }).restoreId;

/** The run, completed, and its restore as the API answers it: they must agree. */
async function expectRestoreFinishedWith(run: Run, outcome: Run['outcome']) {
  const stored = (await env.store.getRun('contoso', run.id))!;
  expect(stored).toMatchObject({ status: 'completed', outcome });
  const res = await getRestore(restoreIdOf(run));
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ status: outcome, completedAt: stored.completedAt, runId: run.id });
  expect(res.body.completedAt).toEqual(expect.any(String));
  return { stored, restore: res.body };
}

describe('a restore record follows its run to the end', () => {
  it('cancelling a real restore mid-way: the run and GET /restores/{id} both say cancelled, with completedAt', async () => {
    // Make the restore write for real: one policy drifted from its backup.
    const policies = env.sim.policies('contoso');
    env.sim.mutatePolicy('contoso', policies[0].id, { passwordMinimumLength: 42 });
    let cancelAt: number | null = null;
    env.deps.afterCheckpoint = async (run) => {
      // The restore's first phase (pending rows) processes no item: cancel once items are being restored.
      if (run.type !== 'restore.execute' || cancelAt !== null || !run.summaryCounts.processed) return;
      cancelAt = run.summaryCounts.processed;
      await env.deps.service.requestCancel(run.tenantId, run.id);
    };
    try {
      const { run } = await startChecked(env, 'restore.execute', { backupSetId: setId });
      expect((await getRestore(restoreIdOf(run))).body).toMatchObject({ status: 'queued', completedAt: null });
      await env.drain();
      const { stored, restore } = await expectRestoreFinishedWith(run, 'cancelled');
      // Mid-way: some items were restored (or found unchanged), the rest never started.
      expect(cancelAt).toBeGreaterThan(0);
      expect(stored.summaryCounts.processed).toBeLessThan(policies.length);
      const statuses = (restore.items as Array<{ status: string }>).map((i) => i.status);
      expect(statuses.filter((s) => s === 'pending').length).toBe(policies.length - stored.summaryCounts.processed);
      expect(statuses.filter((s) => s === 'restored' || s === 'unchanged').length).toBe(stored.summaryCounts.processed);
      expect(statuses).toContain('restored');
    } finally {
      env.deps.afterCheckpoint = undefined;
    }
  });

  it('a dispatch failure fails the restore record in the transaction that fails the run', async () => {
    const failingQueue = { send: async () => { throw new Error('SQS is unavailable'); } };
    const service = new RunService({ catalog: CATALOG, store: env.store, queue: failingQueue });
    const input = { backupSetId: setId };
    const plan = await planStart('restore.execute', 'contoso', input, { stores, clock: () => new Date() });
    const err = await service.startRun({ tenantId: 'contoso', type: 'restore.execute', input, initiator: alice, surface: 'api', ...plan }).catch((e) => e);
    expect(err).toBeInstanceOf(DispatchFailedError);
    const { stored } = await expectRestoreFinishedWith((err as DispatchFailedError).run, 'failed');
    expect(stored.failures[0]).toMatchObject({ code: 'dispatch_failed' });
  });

  it('the reaper fails a restore whose worker was lost, and its record with it', async () => {
    const { run } = await startChecked(env, 'restore.execute', { backupSetId: setId });
    // A worker claimed it (the record says running) and died: its lease runs out.
    const claimed = (await claimRun(env.deps.service, 'contoso', run.id, 1_000))!;
    expect(claimed.status).toBe('running');
    expect((await getRestore(restoreIdOf(run))).body).toMatchObject({ status: 'running', completedAt: null });
    const later = () => new Date(Date.now() + REAPER_GRACE_MS + 60_000);
    const reaped = await reapLostRuns({ service: env.deps.service, store: env.store, logger: env.deps.logger, clock: later });
    expect(reaped.workerLost).toContain(run.id);
    const { stored } = await expectRestoreFinishedWith(run, 'failed');
    expect(stored.failures.at(-1)).toMatchObject({ code: 'worker_lost' });
    await env.drain(); // the original message: a completed run, acknowledged and ignored
    expect((await getRestore(restoreIdOf(run))).body.status).toBe('failed');
  });

  it('the DLQ handler fails an exhausted restore, and its record with it', async () => {
    const { run } = await startChecked(env, 'restore.execute', { backupSetId: setId });
    const record = { messageId: 'm-1', body: JSON.stringify({ runId: run.id, tenantId: 'contoso', type: run.type }), attributes: { ApproximateReceiveCount: '3' } } as unknown as SQSRecord;
    expect(await failExhaustedRun(record, { service: env.deps.service, logger: env.deps.logger })).toBe('failed');
    const { stored } = await expectRestoreFinishedWith(run, 'failed');
    expect(stored.failures.at(-1)).toMatchObject({ code: 'worker_exhausted_retries' });
    await env.drain();
  });

  it('a run whose row is gone still completes (the projection drops a missing row instead of resurrecting it)', async () => {
    const { run } = await startChecked(env, 'restore.execute', { backupSetId: setId });
    await env.doc.send(new DeleteCommand({ TableName: env.table, Key: keys.restore('contoso', restoreIdOf(run)) }));
    const cancelled = await env.deps.service.requestCancel('contoso', run.id);
    expect(cancelled).toMatchObject({ status: 'completed', outcome: 'cancelled' });
    expect((await getRestore(restoreIdOf(run))).status).toBe(404);
    await env.drain();
  });
});

describe('the other types\' rows follow their runs', () => {
  it('a sync writes its history row at start and finishes it with the run\'s counts', async () => {
    const { run } = await startChecked(env, 'inventory.sync', {});
    const rows = new RunRowStore(env.doc, env.table);
    expect(await rows.get(keys.syncRun('contoso', 'inventory', run.id))).toMatchObject({ kind: 'syncRun', status: 'queued', completedAt: null });
    await env.drain();
    const done = (await env.store.getRun('contoso', run.id))!;
    const row = await rows.get(keys.syncRun('contoso', 'inventory', run.id));
    expect(row).toMatchObject({ status: done.outcome, completedAt: done.completedAt, startedAt: done.startedAt, summaryCounts: done.summaryCounts });
    const history = await rows.syncHistory('contoso', 'inventory', 10);
    expect(history.items[0]).toMatchObject({ runId: run.id });
  });

  it('a cancelled queued schedule run cancels its history row and its backup set (no stale in_progress set)', async () => {
    const schedule = await putSchedule(env.doc, env.table, { id: `sch-${ulid()}` });
    const { run } = await startChecked(env, 'backup_schedule.run_now', { scheduleId: schedule.id });
    const { backupSetId } = run.context as { backupSetId: string };
    expect(await stores.backups.getSet('contoso', backupSetId)).toMatchObject({ status: 'in_progress' });
    const cancelled = (await env.deps.service.requestCancel('contoso', run.id))!;
    expect(await stores.backups.getSet('contoso', backupSetId)).toMatchObject({ status: 'cancelled', completedAt: cancelled.completedAt });
    expect(await stores.schedules.getScheduleRun('contoso', schedule.id, run.id)).toMatchObject({ status: 'cancelled', completedAt: cancelled.completedAt });
    await env.drain();
  });

  it('a schedule run the worker completes finishes its set and history row in the terminal transaction', async () => {
    const schedule = await putSchedule(env.doc, env.table, { id: `sch-${ulid()}` });
    const { run } = await startChecked(env, 'backup_schedule.run_now', { scheduleId: schedule.id });
    await env.drain();
    const done = (await env.store.getRun('contoso', run.id))!;
    expect(done.status).toBe('completed');
    const { backupSetId } = run.context as { backupSetId: string };
    expect(await stores.backups.getSet('contoso', backupSetId)).toMatchObject({ status: done.outcome === 'failed' ? 'failed' : 'complete', completedAt: done.completedAt });
    expect(await stores.schedules.getScheduleRun('contoso', schedule.id, run.id)).toMatchObject({ status: done.outcome, completedAt: done.completedAt });
  });
});

describe('graph.connection_check keeps its row and the tenant\'s last check (issue 19)', () => {
  const profileOf = async (tenantId: string) => (await env.doc.send(new GetCommand({ TableName: env.table, Key: keys.tenant(tenantId), ConsistentRead: true }))).Item!;

  it('the worker finishes the check row with the per-category result and the tenant\'s lastConnectionCheck in the terminal transaction', async () => {
    const { run } = await startChecked(env, 'graph.connection_check', {});
    const rows = new RunRowStore(env.doc, env.table);
    expect(await rows.get(keys.connectionCheck('contoso', run.id))).toMatchObject({ kind: 'connectionCheck', status: 'queued', credential: 'current' });
    await env.drain();
    const done = (await env.store.getRun('contoso', run.id))!;
    expect(done.outcome).toBe('succeeded');
    const row = await rows.get(keys.connectionCheck('contoso', run.id));
    expect(row).toMatchObject({ status: 'succeeded', completedAt: done.completedAt, summaryCounts: done.summaryCounts, categories: { organization: 'readable', deviceConfigurations: 'readable' } });
    expect((await profileOf('contoso')).lastConnectionCheck).toMatchObject({ runId: run.id, status: 'succeeded', completedAt: done.completedAt });
  });

  const testAudit = (tenantId: string) => auditPut({ tenantId, actor: { userId: 'alice', name: 'Alice Admin' }, action: 'credential.rotated', target: { type: 'tenant', id: tenantId, label: tenantId } }, new Date());

  it('cancelling a queued check of a rotated credential drops the pending credential with the run; the current one stays', async () => {
    const before = await profileOf('contoso');
    const pending = { secretRef: 'local:domain-records-pending', credential: { type: 'secret' }, since: new Date().toISOString() };
    expect(await env.directory.setPendingCredential('contoso', pending, new Date(Date.now() - 3_600_000).toISOString(), testAudit('contoso'))).toBe(true);
    const { run } = await startChecked(env, 'graph.connection_check', { credential: 'pending' });
    expect(run.context).toMatchObject({ credential: 'pending', pendingSecretRef: pending.secretRef });
    const cancelled = (await env.deps.service.requestCancel('contoso', run.id))!;
    expect(cancelled).toMatchObject({ status: 'completed', outcome: 'cancelled' });
    const after = await profileOf('contoso');
    expect(after.pendingCredential).toBeUndefined();
    expect(after.graph.secretRef).toBe(before.graph.secretRef);
    expect(after.lastConnectionCheck).toMatchObject({ runId: run.id, status: 'cancelled', usedPendingCredential: true });
    expect(await new RunRowStore(env.doc, env.table).get(keys.connectionCheck('contoso', run.id))).toMatchObject({ status: 'cancelled', completedAt: cancelled.completedAt, categories: { organization: 'not_checked' } });
    await env.drain();
  });

  it('a check of a pending credential needs one (422 at start, nothing written)', async () => {
    const err = await planStart('graph.connection_check', 'fabrikam', { credential: 'pending' }, { stores, clock: () => new Date() }).catch((e) => e);
    expect(err).toMatchObject({ code: 'precondition_failed' });
  });
});
