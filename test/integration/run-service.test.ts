import { CATALOG } from '../../shared/operations/catalog.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SQSClient, SendMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { testEnv } from '../support/services.js';
import { RunService, claimRun, LeaseHeldError } from '../../shared/runs/service.js';
import { SqsWorkQueue } from '../../shared/queue/sqs-work-queue.js';
import { RunStore } from '../../shared/store/run-store.js';
import { ACTIVE_SHARDS, activePartition, activeShard } from '../../shared/store/keys.js';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DispatchFailedError, RunNotFoundError, InvalidCursorError } from '../../shared/runs/errors.js';
import { TransitionError } from '../../shared/runs/lifecycle.js';
import { sanitizeValue } from '../../shared/runs/sanitize.js';
import { clearSecretRegistry, registerSecret } from '../../shared/runs/secret-registry.js';
import type { StartRunRequest } from '../../shared/runs/service.js';
import { parseSettings, resetSettings, setSettings } from '../../shared/settings.js';

let env: Awaited<ReturnType<typeof testEnv>>;
beforeAll(async () => {
  env = await testEnv();
});

const alice = { userId: 'alice', name: 'Alice Admin' };
const req = (over: Partial<StartRunRequest> = {}): StartRunRequest => ({
  tenantId: 'contoso', type: 'inventory.sync', input: { categories: ['deviceConfigurations'] }, initiator: alice, surface: 'api', ...over,
});

describe('startRun', () => {
  it('writes a queued run, holds its key and enqueues one message', async () => {
    const { run, deduplicated } = await env.service.startRun(req({ tenantId: 't-start' }));
    expect(deduplicated).toBe(false);
    expect(run).toMatchObject({ status: 'queued', outcome: 'pending', attempt: 0, label: 'Inventory sync' });
    expect(await env.store.activeKeyHolder('t-start', 'inventory.sync', run.identityHash)).toBe(run.id);
    const stored = await env.store.getRun('t-start', run.id);
    expect(stored?.id).toBe(run.id);
    const msgs = await env.sqs.send(new ReceiveMessageCommand({ QueueUrl: env.workQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    expect(msgs.Messages?.map((m) => JSON.parse(m.Body!).runId)).toContain(run.id);
  });

  it('100 concurrent starts with one key create exactly one run and every caller gets its id', async () => {
    const results = await Promise.all(Array.from({ length: 100 }, () => env.service.startRun(req({ tenantId: 't-race' }))));
    const ids = new Set(results.map((r) => r.run.id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => !r.deduplicated)).toHaveLength(1);
    const page = await env.store.listRuns('t-race', {}, 100);
    expect(page.items).toHaveLength(1);
  });

  it('the identity ignores order and duplicates of categories; other inputs are distinct', async () => {
    const a = await env.service.startRun(req({ tenantId: 't-ident', input: { categories: ['managedAppPolicies', 'deviceConfigurations'] } }));
    const b = await env.service.startRun(req({ tenantId: 't-ident', input: { categories: ['deviceConfigurations', 'managedAppPolicies', 'deviceConfigurations'] } }));
    const c = await env.service.startRun(req({ tenantId: 't-ident', input: {} }));
    const d = await env.service.startRun(req({ tenantId: 't-ident-other', input: { categories: ['managedAppPolicies', 'deviceConfigurations'] } }));
    expect(b).toMatchObject({ deduplicated: true, run: { id: a.run.id } });
    expect(c.deduplicated).toBe(false);
    expect(d.deduplicated).toBe(false);
  });

  it('a start right after completion creates a new run', async () => {
    const first = await env.service.startRun(req({ tenantId: 't-again' }));
    await env.service.requestCancel('t-again', first.run.id);
    const second = await env.service.startRun(req({ tenantId: 't-again' }));
    expect(second.deduplicated).toBe(false);
    expect(second.run.id).not.toBe(first.run.id);
  });

  it('an SQS send failure completes the run as failed/dispatch_failed and frees the key', async () => {
    const sqs = new SQSClient({ region: 'us-east-1', endpoint: env.sqsEndpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const mock = mockClient(sqs);
    mock.on(SendMessageCommand).rejects(new Error('SQS is down'));
    const service = new RunService({ catalog: CATALOG, store: env.store, queue: new SqsWorkQueue(sqs, env.workQueueUrl) });
    const err = await service.startRun(req({ tenantId: 't-dispatch' })).catch((e) => e);
    expect(err).toBeInstanceOf(DispatchFailedError);
    const run = await env.store.getRun('t-dispatch', (err as DispatchFailedError).run.id);
    expect(run).toMatchObject({ status: 'completed', outcome: 'failed', failureCount: 1 });
    expect(run!.failures[0].code).toBe('dispatch_failed');
    expect(await env.store.activeKeyHolder('t-dispatch', 'inventory.sync', run!.identityHash)).toBeNull();
    mock.restore();
    // and the key is free for the next start
    expect((await env.service.startRun(req({ tenantId: 't-dispatch' }))).deduplicated).toBe(false);
  });

  it('stored input is exactly the validated input — ids the sanitizer would redact stay intact (issue 15, item 3)', async () => {
    const guid = '8a3c1e52-9f4b-4d2e-b7a1-5c6d7e8f9a0b';
    const input = { policyIds: [`T_${guid}`, `${guid}_DefaultWindows10EnrollmentCompletionPageConfiguration`] };
    // Make the sanitizer change these ids (as a looser rule once did), so storing them intact proves
    // that the input does not pass through it.
    registerSecret(input.policyIds[1]);
    try {
      expect(sanitizeValue(input)).not.toEqual(input);
      const { run } = await env.service.startRun(req({ tenantId: 't-as-is', type: 'policy.sync', input }));
      expect((await env.store.getRun('t-as-is', run.id))!.input).toEqual(input);
    } finally {
      clearSecretRegistry();
    }
  });
});

describe('claims, leases and completion', () => {
  it('a claim moves queued → running; a claim of a completed run is refused (null)', async () => {
    const { run } = await env.service.startRun(req({ tenantId: 't-claim' }));
    const claimed = await claimRun(env.service, 't-claim', run.id, 60_000);
    expect(claimed).toMatchObject({ status: 'running', attempt: 1 });
    const done = await env.service.apply('t-claim', run.id, { type: 'complete', outcome: 'succeeded' });
    expect(done?.status).toBe('completed');
    expect(await claimRun(env.service, 't-claim', run.id, 60_000)).toBeNull();
    expect(await env.store.activeKeyHolder('t-claim', 'inventory.sync', run.identityHash)).toBeNull();
  });

  it('a live lease is not taken over; an expired one is, with attempt + 1', async () => {
    const { run } = await env.service.startRun(req({ tenantId: 't-lease' }));
    await claimRun(env.service, 't-lease', run.id, 60_000);
    await expect(claimRun(env.service, 't-lease', run.id, 60_000)).rejects.toBeInstanceOf(LeaseHeldError);
    const later = () => new Date(Date.now() + 120_000);
    const service = new RunService({ catalog: CATALOG, store: env.store, queue: env.queue, clock: later });
    const taken = await claimRun(service, 't-lease', run.id, 60_000, later);
    expect(taken).toMatchObject({ status: 'running', attempt: 2 });
  });

  it('concurrent claims of one queued run: exactly one wins', async () => {
    const { run } = await env.service.startRun(req({ tenantId: 't-claim-race' }));
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => claimRun(env.service, 't-claim-race', run.id, 60_000)));
    expect(results.filter((r) => r.status === 'fulfilled' && r.value?.status === 'running')).toHaveLength(1);
  });

  it('a completed run never changes again', async () => {
    const { run } = await env.service.startRun(req({ tenantId: 't-final' }));
    await env.service.requestCancel('t-final', run.id);
    await expect(env.service.requestCancel('t-final', run.id)).rejects.toBeInstanceOf(TransitionError);
    await expect(env.service.failRun('t-final', run.id, 'worker_lost', 'x')).resolves.toBeNull();
    expect((await env.store.getRun('t-final', run.id))!.outcome).toBe('cancelled');
  });

  it('byActive: the lease is out of the key (a renewal keeps activePk/activeSk); the reaper filter finds an expired lease in its shard', async () => {
    const { run } = await env.service.startRun(req({ tenantId: 't-active-key' }));
    const indexKeys = async () => {
      const out = await env.doc.send(new GetCommand({ TableName: env.table, Key: { pk: 'TENANT#t-active-key', sk: `RUN#${run.id}` } }));
      return { activePk: out.Item?.activePk, activeSk: out.Item?.activeSk };
    };
    expect(await indexKeys()).toEqual({ activePk: activePartition('queued', activeShard(run.id)), activeSk: `${run.createdAt}#t-active-key#${run.id}` });
    await claimRun(env.service, 't-active-key', run.id, 1_000);
    const running = await indexKeys();
    expect(running.activePk).toBe(`ACTIVE#running#${activeShard(run.id)}`);
    const counts = { total: 10, processed: 4, succeeded: 4, failed: 0, skipped: 0 };
    const renewed = await env.service.apply('t-active-key', run.id, { type: 'checkpoint', leaseMs: 60_000, counts, cursor: null });
    expect(await indexKeys()).toEqual(running);
    const find = async (before: string) => {
      const all = [];
      let cursor: string | undefined;
      do {
        const page = await env.store.listActive('running', activeShard(run.id), before, 50, cursor);
        all.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return all.find((r) => r.id === run.id);
    };
    expect(await find(renewed!.leaseExpiresAt!)).toBeUndefined();
    expect(await find(new Date(Date.parse(renewed!.leaseExpiresAt!) + 1).toISOString())).toMatchObject({ tenantId: 't-active-key', status: 'running', leaseExpiresAt: renewed!.leaseExpiresAt });
  });

  it('a checkpoint stores counts and cursor and renews the lease', async () => {
    const { run } = await env.service.startRun(req({ tenantId: 't-ckpt' }));
    const claimed = await claimRun(env.service, 't-ckpt', run.id, 1_000);
    const counts = { total: 10, processed: 4, succeeded: 4, failed: 0, skipped: 0 };
    const next = await env.service.apply('t-ckpt', run.id, { type: 'checkpoint', leaseMs: 60_000, counts, cursor: { page: 'abc' } });
    expect(Date.parse(next!.leaseExpiresAt!)).toBeGreaterThan(Date.parse(claimed!.leaseExpiresAt!));
    const stored = await env.store.getRun('t-ckpt', run.id);
    expect(stored).toMatchObject({ summaryCounts: counts, checkpoint: { page: 'abc' } });
  });

  it('requestCancel on a running run sets the flag only', async () => {
    const { run } = await env.service.startRun(req({ tenantId: 't-cancel-running' }));
    await claimRun(env.service, 't-cancel-running', run.id, 60_000);
    const next = await env.service.requestCancel('t-cancel-running', run.id);
    expect(next).toMatchObject({ status: 'running', cancelRequested: true });
  });
});

describe('retention', () => {
  it('expired runs are invisible to reads and lists', async () => {
    const past = () => new Date(Date.now() - 91 * 86_400_000);
    const oldService = new RunService({ catalog: CATALOG, store: new RunStore(env.doc, env.table, past), queue: env.queue, clock: past });
    const { run } = await oldService.startRun(req({ tenantId: 't-ttl' }));
    const fresh = await env.service.startRun(req({ tenantId: 't-ttl', input: {} }));
    expect(await env.store.getRun('t-ttl', run.id)).toBeNull();
    await expect(env.service.getRun('t-ttl', run.id)).rejects.toBeInstanceOf(RunNotFoundError);
    const page = await env.store.listRuns('t-ttl', {}, 25);
    expect(page.items.map((r) => r.id)).toEqual([fresh.run.id]);
  });

  it('expiresAt is createdAt + RUN_RETENTION_DAYS', async () => {
    setSettings(parseSettings({ ...process.env, RUN_RETENTION_DAYS: '7' }));
    try {
      const { run } = await env.service.startRun(req({ tenantId: 't-retention' }));
      expect(Date.parse(run.expiresAt) - Date.parse(run.createdAt)).toBe(7 * 86_400_000);
    } finally {
      resetSettings();
    }
  });
});

describe('listing runs', () => {
  const tenant = 't-list';
  const started: Array<{ id: string; type: string; userId: string | null; surface: string; createdAt: string }> = [];

  beforeAll(async () => {
    const base = Date.parse('2026-11-01T00:00:00Z');
    const specs = [
      ['inventory.sync', { categories: ['deviceConfigurations'] }, alice, 'api'],
      ['policy.sync', {}, alice, 'console'],
      ['directory_groups.sync', {}, { userId: 'dave', name: 'Dave Ops' }, 'api'],
      ['backup_schedule.run_now', { scheduleId: 's1' }, { userId: null, name: 'Scheduler' }, 'schedule'],
      ['inventory.sync', { categories: ['managedAppPolicies'] }, { userId: 'dave', name: 'Dave Ops' }, 'console'],
      ['drift.generate', {}, alice, 'api'],
    ] as const;
    for (let i = 0; i < specs.length; i++) {
      const [type, input, initiator, surface] = specs[i];
      const at = () => new Date(base + i * 3_600_000);
      const svc = new RunService({ catalog: CATALOG, store: new RunStore(env.doc, env.table, at), queue: env.queue, clock: at });
      const { run } = await svc.startRun({ tenantId: tenant, type, input: input as never, initiator, surface });
      started.push({ id: run.id, type, userId: initiator.userId, surface, createdAt: run.createdAt });
    }
    // complete one (cancel) so status/outcome filters have something to tell apart
    await env.service.requestCancel(tenant, started[1].id);
  });

  const ids = (items: Array<{ id: string }>) => items.map((r) => r.id);
  const newestFirst = (xs: typeof started) => [...xs].reverse().map((s) => s.id);

  it('lists newest first', async () => {
    expect(ids((await env.store.listRuns(tenant, {}, 100)).items)).toEqual(newestFirst(started));
  });

  it('filters by type, status, outcome, initiator, surface and created-at range', async () => {
    expect(ids((await env.store.listRuns(tenant, { type: 'inventory.sync' }, 100)).items)).toEqual(newestFirst(started.filter((s) => s.type === 'inventory.sync')));
    expect(ids((await env.store.listRuns(tenant, { status: 'completed' }, 100)).items)).toEqual([started[1].id]);
    expect(ids((await env.store.listRuns(tenant, { status: 'queued' }, 100)).items)).toEqual(newestFirst(started.filter((_, i) => i !== 1)));
    expect(ids((await env.store.listRuns(tenant, { outcome: 'cancelled' }, 100)).items)).toEqual([started[1].id]);
    expect(ids((await env.store.listRuns(tenant, { initiator: 'dave' }, 100)).items)).toEqual(newestFirst(started.filter((s) => s.userId === 'dave')));
    expect(ids((await env.store.listRuns(tenant, { initiator: 'system' }, 100)).items)).toEqual([started[3].id]);
    expect(ids((await env.store.listRuns(tenant, { surface: 'console' }, 100)).items)).toEqual(newestFirst(started.filter((s) => s.surface === 'console')));
    expect(ids((await env.store.listRuns(tenant, { from: started[2].createdAt, to: started[4].createdAt }, 100)).items)).toEqual(newestFirst(started.slice(2, 5)));
    expect(ids((await env.store.listRuns(tenant, { type: 'inventory.sync', initiator: 'dave' }, 100)).items)).toEqual([started[4].id]);
    expect(ids((await env.store.listRuns(tenant, { surface: 'api', from: started[1].createdAt }, 100)).items)).toEqual([started[5].id, started[2].id]);
  });

  it('a cursor round trip pages through everything exactly once', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await env.store.listRuns(tenant, {}, 2, cursor);
      seen.push(...ids(page.items));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(newestFirst(started));
  });

  it('a tampered cursor, or one from another tenant or list, is refused', async () => {
    const page = await env.store.listRuns(tenant, {}, 2);
    const cursor = page.nextCursor!;
    const [body, sig] = cursor.split('.');
    const forged = Buffer.from(JSON.stringify({ s: `runs:other:table:TENANT#other`, k: { pk: 'TENANT#other', sk: 'RUN#0' } })).toString('base64url');
    await expect(env.store.listRuns(tenant, {}, 2, `${forged}.${sig}`)).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(env.store.listRuns(tenant, {}, 2, `${body}x.${sig}`)).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(env.store.listRuns('other', {}, 2, cursor)).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(env.store.listRuns(tenant, { type: 'policy.sync' }, 2, cursor)).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(env.store.listRuns(tenant, {}, 2, 'garbage')).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('listing active runs across tenants for the reaper reads only active runs, from every shard', async () => {
    const soon = new Date(Date.now() + 1000).toISOString();
    const items = (await Promise.all(Array.from({ length: ACTIVE_SHARDS }, (_, shard) => env.store.listActive('queued', shard, soon, 1000)))).flatMap((p) => p.items);
    expect(items.every((r) => r.status === 'queued')).toBe(true);
    const mine = items.filter((r) => r.tenantId === tenant).map((r) => r.id);
    expect(mine.sort()).toEqual(started.filter((_, i) => i !== 1).map((s) => s.id).sort());
    expect(mine).not.toContain(started[1].id);
    await expect(env.store.listActive('queued', ACTIVE_SHARDS, soon)).rejects.toBeInstanceOf(RangeError);
  });

  it('lists answer summaries (what the list indexes project); the detail reads the whole run', async () => {
    for (const filter of [{}, { type: 'inventory.sync' }, { status: 'queued' as const }]) {
      const [first] = (await env.store.listRuns(tenant, filter, 1)).items;
      expect(first).not.toHaveProperty('input');
      expect(first).not.toHaveProperty('failures');
      expect(first).toMatchObject({ tenantId: tenant, status: expect.any(String), summaryCounts: expect.any(Object), initiator: expect.any(Object) });
      expect((await env.store.getRun(tenant, first.id))!.input).toBeTypeOf('object');
    }
  });
});
