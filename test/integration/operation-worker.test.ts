import { CATALOG } from '../../shared/operations/catalog.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { processDeadLetters } from '../../shared/operations/dead-letters.js';
import type { OperationExecutor } from '../../shared/operations/executor.js';
import { EXECUTORS } from '../../shared/operations/index.js';
import { reapLostRuns } from '../../shared/operations/reaper.js';
import { processWorkMessage } from '../../shared/operations/worker.js';
import { claimRun } from '../../shared/runs/service.js';
import type { Run } from '../../shared/runs/model.js';
import { createTestQueues } from '../support/services.js';
import { receiveAll, workerTestEnv } from '../support/worker-env.js';

type Env = Awaited<ReturnType<typeof workerTestEnv>>;
let env: Env;

beforeAll(async () => {
  env = await workerTestEnv({ sim: { tenants: { contoso: { policies: 60, groups: 40 }, fabrikam: { policies: 25, groups: 10 }, bigco: { policies: 1200, groups: 0 } } },
    // Checkpoints by item count only: a 2 s timer would fire at other counts on a loaded machine.
    settings: { checkpointEveryMs: 3_600_000 } });
});
afterAll(async () => { await env?.stop(); });

const get = (run: Run) => env.deps.service.getRun(run.tenantId, run.id);
const message = (run: Run) => ({ runId: run.id, tenantId: run.tenantId, type: run.type });
const plenty = () => 100_000;
const keyHolder = (run: Run) => env.store.activeKeyHolder(run.tenantId, run.type, run.identityHash);

/** Runs a run straight through the worker (no queue), after taking its message off the queue. */
async function work(run: Run, remaining = plenty) {
  await receiveAll(env.sqs, env.workQueueUrl);
  return processWorkMessage(message(run), remaining, env.deps);
}

/** Wraps an executor for one test; restores the real one afterwards. */
async function withExecutor<T>(type: keyof typeof EXECUTORS, wrap: (real: OperationExecutor) => OperationExecutor, body: () => Promise<T>): Promise<T> {
  const real = EXECUTORS[type]!;
  env.deps.executors = { ...EXECUTORS, [type]: wrap(real) };
  try {
    return await body();
  } finally {
    env.deps.executors = EXECUTORS;
  }
}

describe('inventory.sync', () => {
  it('upserts every configuration object, then sees nothing new, then sees a change and a deletion', async () => {
    const first = await env.start('inventory.sync');
    await env.drain();
    const done = await get(first);
    expect(done).toMatchObject({ status: 'completed', outcome: 'succeeded', failureCount: 0 });
    expect(done.summaryCounts).toMatchObject({ total: 60, processed: 60, succeeded: 60, failed: 0, created: 60, updated: 0, unchanged: 0, deleted: 0 });
    expect(await keyHolder(first)).toBeNull();

    const again = await env.start('inventory.sync');
    await env.drain();
    expect((await get(again)).summaryCounts).toMatchObject({ created: 0, updated: 0, unchanged: 60, deleted: 0 });

    const [gone, changed] = env.sim.policies('contoso');
    env.sim.deletePolicy('contoso', gone.id);
    env.sim.mutatePolicy('contoso', changed.id, { displayName: 'Renamed by an admin' });
    const third = await env.start('inventory.sync');
    await env.drain();
    expect((await get(third)).summaryCounts).toMatchObject({ total: 59, created: 0, updated: 1, unchanged: 58, deleted: 1 });
    const page = await env.deps.stores.inventory.list('contoso', { category: gone.category, includeDeleted: true, limit: 100 });
    expect(page.items.find((i) => i.objectId === gone.id)).toMatchObject({ deleted: true, lastChange: 'deleted' });
    const visible = await env.deps.stores.inventory.list('contoso', { category: gone.category, limit: 100 });
    expect(visible.items.find((i) => i.objectId === gone.id)).toBeUndefined();
  });

  it('retries Graph throttling inside the worker and still succeeds', async () => {
    env.sim.setFaults({ throttle: 0.3, retryAfterSeconds: 1 });
    env.sleeps.length = 0;
    const requestsBefore = env.sim.requests.length;
    try {
      const run = await env.start('inventory.sync', {}, 'fabrikam');
      expect(await work(run)).toBe('completed');
      const done = await get(run);
      expect(done).toMatchObject({ outcome: 'succeeded', failureCount: 0 });
      expect(done.summaryCounts).toMatchObject({ total: 25, succeeded: 25 });
      expect(env.sim.requests.slice(requestsBefore).filter((r) => r.status === 429).length).toBeGreaterThan(0);
      expect(env.sleeps.length).toBeGreaterThan(0);
      expect(env.sleeps.every((ms) => ms >= 1000 && ms <= 1100)).toBe(true); // Retry-After: 1 (+ ≤10 % jitter)
    } finally {
      env.sim.setFaults({});
    }
  });

  it('a crashed worker is resumed by redelivery from its checkpoint, without redoing finished chunks or double counting', async () => {
    const run = await env.start('inventory.sync', { categories: ['deviceConfigurations'] }, 'bigco');
    let chunks = 0;
    let crashed!: () => void;
    const crash = new Promise<void>((r) => { crashed = r; });
    // Chunk 13 never returns: the Lambda died after its checkpoint at 100 items and two more pages.
    await withExecutor('inventory.sync', (real) => ({
      ...real,
      processChunk: (ctx, cursor) => (++chunks === 13 ? (crashed(), new Promise(() => {})) : real.processChunk(ctx, cursor)),
    }), async () => {
      void work(run);
      await crash;
    });
    const abandoned = await get(run);
    expect(abandoned.status).toBe('running');
    expect(abandoned.summaryCounts.processed).toBe(100);
    const firstPageBefore = env.sim.requests.filter((r) => r.tenantId === 'bigco' && r.path === 'deviceManagement/deviceConfigurations').length;

    // Redelivery while the dead worker's lease still looks live: retried later, nothing changes.
    await expect(processWorkMessage(message(run), plenty, env.deps)).rejects.toThrow(/being worked on/);
    env.advance(3 * 60_000); // the lease expires
    expect(await processWorkMessage(message(run), plenty, env.deps)).toBe('completed');
    const done = await get(run);
    const inCategory = env.sim.policies('bigco').filter((p) => p.category === 'deviceConfigurations').length;
    expect(done).toMatchObject({ outcome: 'succeeded', attempt: 2 });
    expect(done.summaryCounts).toMatchObject({ total: inCategory, processed: inCategory, succeeded: inCategory, created: inCategory, unchanged: 0 });
    // The first page (and the nine after it) was not fetched again.
    expect(env.sim.requests.filter((r) => r.tenantId === 'bigco' && r.path === 'deviceManagement/deviceConfigurations').length).toBe(firstPageBefore);
  });
});

describe('policy.sync', () => {
  it('versions every policy once, and a second sync with no Graph change versions nothing', async () => {
    const n = env.sim.policies('contoso').length;
    const first = await env.start('policy.sync');
    await env.drain();
    expect((await get(first)).summaryCounts).toMatchObject({ total: n, succeeded: n, versioned: n, unchanged: 0 });
    const second = await env.start('policy.sync');
    await env.drain();
    expect((await get(second))).toMatchObject({ outcome: 'succeeded' });
    expect((await get(second)).summaryCounts).toMatchObject({ total: n, versioned: 0, unchanged: n });

    const p = env.sim.policies('contoso')[5];
    env.sim.mutatePolicy('contoso', p.id, { description: 'tightened' });
    const third = await env.start('policy.sync', { policyIds: [p.id] });
    await env.drain();
    expect((await get(third)).summaryCounts).toMatchObject({ total: 1, versioned: 1 });
    const versions = await env.deps.stores.policies.versions('contoso', p.id);
    expect(versions.map((v) => v.version)).toEqual([2, 1]);
    expect(versions[0].content.description).toBe('tightened');
  });

  it('403 on some items ends partially_succeeded with those failures, sanitized', async () => {
    const forbidden = env.sim.policies('fabrikam').slice(0, 2).map((p) => p.id);
    env.sim.setFaults({ forbidden });
    try {
      const run = await env.start('policy.sync', {}, 'fabrikam');
      expect(await work(run)).toBe('completed');
      const done = await get(run);
      expect(done.outcome).toBe('partially_succeeded');
      expect(done.summaryCounts).toMatchObject({ total: 25, failed: 2, succeeded: 23 });
      expect(done.failureCount).toBe(2);
      expect(done.failures.map((f) => f.itemId).sort()).toEqual([...forbidden].sort());
      expect(done.failures.every((f) => f.code === 'graph_forbidden' && /Graph answered 403/.test(f.message) && !/Bearer/i.test(f.message))).toBe(true);
    } finally {
      env.sim.setFaults({});
    }
  });

  it('executes with exactly the validated input: composite Graph ids reach Graph as given (issue 15, item 3)', async () => {
    const guid = '5b2f7c1d-3e4a-4b6c-9d8e-0f1a2b3c4d5e';
    const ids = [`T_${guid}`, `${guid}_DefaultWindows10EnrollmentCompletionPageConfiguration`];
    env.sim.putPolicy('fabrikam', { id: ids[0], category: 'managedAppPolicies', content: { '@odata.type': '#microsoft.graph.iosManagedAppProtection', displayName: 'iOS APP' }, assignments: [], relations: {} });
    env.sim.putPolicy('fabrikam', { id: ids[1], category: 'deviceEnrollmentConfigurations', content: { '@odata.type': '#microsoft.graph.windows10EnrollmentCompletionPageConfiguration', displayName: 'ESP' }, assignments: [], relations: {} });
    try {
      // The input the API would accept: parsed by the type's own schema.
      const input = CATALOG['policy.sync'].schema.parse({ policyIds: ids });
      expect(input).toEqual({ policyIds: ids });
      const from = env.sim.requests.length;
      const run = await env.start('policy.sync', input, 'fabrikam');
      expect(await work(run)).toBe('completed');
      expect(await get(run)).toMatchObject({ outcome: 'succeeded', input: { policyIds: ids }, summaryCounts: { total: 2, succeeded: 2 } });
      // Every object request this run made named one of exactly those ids.
      const asked = new Set(env.sim.requests.slice(from).flatMap((r) => {
        const m = /^(?:deviceManagement|deviceAppManagement)\/[A-Za-z]+\/([^/?]+)/.exec(r.path);
        return m ? [decodeURIComponent(m[1])] : [];
      }));
      expect([...asked].sort()).toEqual([...ids].sort());
      expect((await env.deps.stores.policies.versions('fabrikam', ids[0])).length).toBe(1);
      expect((await env.deps.stores.policies.versions('fabrikam', ids[1])).length).toBe(1);
    } finally {
      for (const id of ids) env.sim.deletePolicy('fabrikam', id);
    }
  });

  /**
   * Graph throttles 3 policy reads of a chunk with a Retry-After (120 s) longer than the worker may wait
   * — once the category's first page is listed (`all`), or at once (`ids`): those 3 are deferred, the
   * chunk's other reads succeed. Only deviceConfigurations policies: one Graph request each.
   */
  async function stopPartWay(mode: 'all' | 'ids') {
    const tenant = 'contoso';
    await work(await env.start('policy.sync', {}, tenant)); // every policy has a head (and a category) now
    const page = env.sim.policies(tenant).filter((p) => p.category === 'deviceConfigurations').map((p) => p.id).sort().slice(0, 10);
    expect(page.length).toBeGreaterThan(5);
    const changed = page.filter((_, i) => i % 2 === 0);
    for (const id of changed) env.sim.mutatePolicy(tenant, id, { description: `changed ${id} ${Date.now()}` });
    const versionsBefore = new Map(await Promise.all(page.map(async (id) => [id, (await env.deps.stores.policies.versions(tenant, id)).length] as const)));
    const n = mode === 'all' ? env.sim.policies(tenant).length : page.length;
    const fetched = (from: number, to = env.sim.requests.length, status = 200) => env.sim.requests.slice(from, to)
      .filter((r) => r.tenantId === tenant && r.version && r.status === status)
      .flatMap((r) => page.filter((id) => new RegExp(`/${id}(?:[/?]|$)`).test(r.path)));
    const lists = (from: number) => env.sim.requests.slice(from).filter((r) => r.tenantId === tenant && /^deviceManagement\/deviceConfigurations(?:\?|$)/.test(r.path)).length;

    const run = await env.start('policy.sync', mode === 'all' ? {} : { policyIds: page }, tenant);
    const from = env.sim.requests.length;
    let armed = false;
    const remaining = () => {
      if (!armed && (mode === 'ids' || lists(from) > 0)) {
        armed = true;
        env.sim.throttleNext(3, 120);
      }
      return 100_000;
    };
    const settings = env.deps.settings;
    env.deps.settings = { ...settings, maxDeferSeconds: 0 }; // the continuation is sent without delay
    try {
      expect(await work(run, remaining)).toBe('continued');
    } finally {
      env.deps.settings = settings;
      env.sim.throttleNext(0);
    }
    const firstEnd = env.sim.requests.length;
    const finished = new Set(fetched(from, firstEnd));
    const throttled = new Set(fetched(from, firstEnd, 429));
    expect(throttled.size).toBe(3);
    expect(finished.size).toBe(page.length - 3);
    // The checkpoint holds the finished policies' counts, and the cursor names only the rest.
    const paused = await get(run);
    expect(paused.status).toBe('running');
    expect(paused.summaryCounts).toMatchObject({ total: finished.size, processed: finished.size, succeeded: finished.size });
    expect(paused.summaryCounts.versioned + paused.summaryCounts.unchanged).toBe(finished.size);
    const rest = (paused.checkpoint as { rest?: string[] | { ids: string[] } }).rest;
    expect((Array.isArray(rest) ? rest : rest?.ids)?.sort()).toEqual([...throttled].sort());

    const queued = (await receiveAll(env.sqs, env.workQueueUrl)).map((m) => JSON.parse(m.Body!)).filter((m) => m.runId === run.id);
    expect(queued).toEqual([{ ...message(run), continuation: 1 }]);
    expect(await processWorkMessage(queued[0], plenty, env.deps)).toBe('completed');
    // The continuation read the 3 deferred policies and none of the finished ones, without listing the page again.
    expect(fetched(firstEnd).sort()).toEqual([...throttled].sort());
    expect(lists(firstEnd)).toBe(0);

    const done = await get(run);
    expect(done).toMatchObject({ status: 'completed', outcome: 'succeeded', failureCount: 0 });
    expect(done.summaryCounts).toMatchObject({ total: n, processed: n, succeeded: n, failed: 0, skipped: 0, versioned: changed.length, unchanged: n - changed.length });
    for (const id of page) {
      expect((await env.deps.stores.policies.versions(tenant, id)).length, id).toBe(versionsBefore.get(id)! + (changed.includes(id) ? 1 : 0));
    }
  }

  it('a listed page Graph stops part-way keeps what it finished: the continuation asks Graph only for the rest, counts exact', () => stopPartWay('all'));
  it('a slice of policyIds Graph stops part-way keeps what it finished: the continuation asks Graph only for the rest, counts exact', () => stopPartWay('ids'));

  it('a run whose every item fails is failed', async () => {
    const run = await env.start('policy.sync', { policyIds: ['00000000-0000-4000-a000-00000000dead'] }, 'fabrikam');
    await work(run);
    expect(await get(run)).toMatchObject({ outcome: 'failed', failureCount: 1, failures: [{ code: 'graph_not_found' }] });
  });
});

describe('directory_groups.sync', () => {
  it('caches groups for DB-only prefix search and removes groups that are gone', async () => {
    const run = await env.start('directory_groups.sync');
    await env.drain();
    expect((await get(run)).summaryCounts).toMatchObject({ total: 40, upserted: 40, removed: 0 });
    const sales = await env.deps.stores.groups.searchByPrefix('contoso', 'SAL');
    expect(sales.length).toBeGreaterThan(0);
    expect(sales.every((g) => g.displayName.startsWith('Sales'))).toBe(true);
    expect(await env.deps.stores.groups.searchByPrefix('fabrikam', 'Sal')).toEqual([]); // another tenant's cache

    env.sim.deleteGroup('contoso', sales[0].groupId);
    const again = await env.start('directory_groups.sync');
    await env.drain();
    expect((await get(again)).summaryCounts).toMatchObject({ total: 39, upserted: 39, removed: 1 });
    const after = await env.deps.stores.groups.searchByPrefix('contoso', 'sal');
    expect(after.map((g) => g.groupId)).not.toContain(sales[0].groupId);
    expect(after).toHaveLength(sales.length - 1);
  });
});

describe('the worker', () => {
  it('a duplicate delivery of a completed run changes nothing', async () => {
    const run = await env.start('directory_groups.sync', {}, 'fabrikam');
    await env.drain();
    const done = await get(run);
    const writes = env.runWrites.get(run.id);
    expect(await processWorkMessage(message(run), plenty, env.deps)).toBe('ignored');
    expect(await get(run)).toEqual(done);
    expect(env.runWrites.get(run.id)).toBe(writes);
  });

  it('honours a cancel at the next checkpoint', async () => {
    const run = await env.start('inventory.sync', {}, 'bigco');
    env.deps.afterCheckpoint = async (r) => { if (r.id === run.id) await env.deps.service.requestCancel(r.tenantId, r.id); };
    try {
      expect(await work(run)).toBe('cancelled');
    } finally {
      env.deps.afterCheckpoint = undefined;
    }
    const done = await get(run);
    expect(done).toMatchObject({ status: 'completed', outcome: 'cancelled', cancelRequested: true });
    expect(done.summaryCounts.processed).toBeGreaterThanOrEqual(100);
    expect(done.summaryCounts.processed).toBeLessThan(1200);
    expect(await keyHolder(run)).toBeNull();
  });

  it('re-enqueues a continuation when the Lambda runs short of time, and the continuation finishes the run', async () => {
    const run = await env.start('inventory.sync', { categories: ['managedAppPolicies'] }, 'bigco');
    let calls = 0;
    expect(await work(run, () => (++calls > 5 ? 1_000 : 100_000))).toBe('continued');
    const paused = await get(run);
    expect(paused.status).toBe('running');
    // This run's messages only: on a loaded machine an earlier test's message can come back when its
    // visibility timeout ends, and it is not this test's business.
    const queued = (await receiveAll(env.sqs, env.workQueueUrl)).map((m) => JSON.parse(m.Body!)).filter((m) => m.runId === run.id);
    expect(queued).toEqual([{ ...message(run), continuation: 1 }]);
    expect(await processWorkMessage(queued[0], plenty, env.deps)).toBe('completed');
    const n = env.sim.policies('bigco').filter((p) => p.category === 'managedAppPolicies').length;
    expect((await get(run)).summaryCounts).toMatchObject({ total: n, created: n });
  });

  it('stops writing when another attempt took the run over', async () => {
    const run = await env.start('inventory.sync', { categories: ['deviceCompliancePolicies'] }, 'bigco');
    env.deps.afterCheckpoint = async (r) => {
      if (r.id !== run.id || r.attempt !== 1) return;
      env.advance(3 * 60_000);
      await claimRun(env.deps.service, r.tenantId, r.id, 60_000, env.deps.clock);
    };
    try {
      expect(await work(run)).toBe('lease_lost');
    } finally {
      env.deps.afterCheckpoint = undefined;
    }
    expect(await get(run)).toMatchObject({ status: 'running', attempt: 2 });
  });

  it('a fatal error fails the run and frees its key', async () => {
    await env.directory.putTenant({ id: 'nographco', name: 'No Graph' });
    const run = await env.start('directory_groups.sync', {}, 'nographco');
    expect(await work(run)).toBe('completed');
    expect(await get(run)).toMatchObject({ outcome: 'failed', failures: [{ code: 'graph_auth_failed' }] });
    expect(await keyHolder(run)).toBeNull();
  });

  it(`writes the run at most once per 100 items (plus claim and completion)`, async () => {
    const run = await env.start('inventory.sync', {}, 'bigco');
    expect(await work(run)).toBe('completed');
    const done = await get(run);
    const items = done.summaryCounts.processed;
    const writes = env.runWrites.get(run.id)!;
    const perThousand = (writes / items) * 1000;
    console.log(`run writes: ${writes} for ${items} items = ${perThousand.toFixed(1)} per 1,000 items`);
    expect(items).toBe(1200);
    expect(writes).toBeLessThanOrEqual(Math.ceil(items / 100) + 2);
  }, 120_000); // 1,200 items through DynamoDB Local: a budget for a loaded machine, not a speed claim
});

describe('failure handling (§8)', () => {
  it('after maxReceiveCount the DLQ handler fails the run and frees its key', async () => {
    const queues = await createTestQueues(env.sqs, 3, 30);
    const { SqsWorkQueue } = await import('../../shared/queue/sqs-work-queue.js');
    const { RunService } = await import('../../shared/runs/service.js');
    const service = new RunService({ catalog: CATALOG, store: env.deps.store, queue: new SqsWorkQueue(env.sqs, queues.workQueueUrl) });
    const { run } = await service.startRun({ tenantId: 'fabrikam', type: 'inventory.sync', input: { categories: ['deviceConfigurations'] }, initiator: { userId: null, name: 'Scheduler' }, surface: 'schedule' });
    env.sim.setFaults({ error: 1, retryAfterSeconds: 0 });
    try {
      let failures = 0;
      for (let i = 0; i < 3; i++) failures += (await env.pollOnce(queues.workQueueUrl)).failed;
      expect(failures).toBe(3);
      expect(await get(run)).toMatchObject({ status: 'running' });
      expect((await env.pollOnce(queues.workQueueUrl)).received).toBe(0); // moved to the DLQ
      const dlq = await env.pollOnce(queues.dlqUrl, plenty, (e) => processDeadLetters(e, {}, env.deps));
      expect(dlq).toEqual({ received: 1, failed: 0 });
    } finally {
      env.sim.setFaults({});
    }
    const done = await get(run);
    expect(done).toMatchObject({ status: 'completed', outcome: 'failed' });
    expect(done.failures.at(-1)).toMatchObject({ code: 'worker_exhausted_retries' });
    expect(await keyHolder(run)).toBeNull();
    const left = await env.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queues.dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    expect(left.Attributes?.ApproximateNumberOfMessages).toBe('0');
  });

  it("the run worker's lazily loaded work queue (issue 18) delivers to SQS: a run sent through it is received and completed", async () => {
    const queues = await createTestQueues(env.sqs, 3, 30);
    const { LazySqsWorkQueue } = await import('../../shared/queue/lazy-sqs-work-queue.js');
    const { RunService } = await import('../../shared/runs/service.js');
    const service = new RunService({ catalog: CATALOG, store: env.deps.store, queue: new LazySqsWorkQueue(queues.workQueueUrl, { endpoint: env.sqsEndpoint }) });
    const { run } = await service.startRun({ tenantId: 'fabrikam', type: 'inventory.sync', input: { categories: ['deviceConfigurations'] }, initiator: { userId: null, name: 'Scheduler' }, surface: 'schedule' });
    expect(await env.pollOnce(queues.workQueueUrl)).toEqual({ received: 1, failed: 0 });
    expect(await get(run)).toMatchObject({ status: 'completed', outcome: 'succeeded' });
  });

  it('the reaper fails a lost dispatch and a lost worker, and leaves live runs alone', async () => {
    const lostDispatch = await env.start('directory_groups.sync', {}, 'contoso');
    const lostWorker = await env.start('policy.sync', { policyIds: ['x-1'] }, 'contoso');
    await claimRun(env.deps.service, 'contoso', lostWorker.id, 60_000);
    await receiveAll(env.sqs, env.workQueueUrl);
    env.advance(16 * 60_000 + 60_000);
    const fresh = await env.start('policy.sync', { policyIds: ['x-2'] }, 'contoso');
    const reaped = await reapLostRuns(env.deps);
    expect(reaped.dispatchLost).toContain(lostDispatch.id);
    expect(reaped.workerLost).toContain(lostWorker.id);
    expect(reaped.dispatchLost).not.toContain(fresh.id);
    expect(await get(lostDispatch)).toMatchObject({ outcome: 'failed', failures: [{ code: 'dispatch_lost' }] });
    expect(await get(lostWorker)).toMatchObject({ outcome: 'failed', failures: [{ code: 'worker_lost' }] });
    expect(await get(fresh)).toMatchObject({ status: 'queued' });
    expect(await keyHolder(lostDispatch)).toBeNull();
    expect(await keyHolder(lostWorker)).toBeNull();
    await env.drain();
  });
});
