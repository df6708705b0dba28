/**
 * Graph as it really is (issue 13), end to end against the strict simulator: a scheduled backup of
 * every category keeps the settings-catalog settings and administrative-template values; a category
 * Graph will not list is one `graph_category_unavailable` failure (partially_succeeded); and heavy
 * throttling with Retry-After beyond the invocation's budget never runs an invocation past its
 * timeout, never fails another run's message and never dead-letters a healthy run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFaults } from '../../infra/local/graph-sim.js';
import { CATEGORIES } from '../../shared/runs/catalog.js';
import { BackupStore } from '../../shared/store/backup-store.js';
import { putSchedule, startChecked } from '../support/backup-fixtures.js';
import { receiveAll, workerTestEnv } from '../support/worker-env.js';

let env: Awaited<ReturnType<typeof workerTestEnv>>;
beforeAll(async () => {
  // Continuations that wait out Retry-After are sent without delay here, so the test need not wait.
  env = await workerTestEnv({ settings: { reserveMs: 5_000, graphReserveMs: 3_000, maxDeferSeconds: 0 } });
});
afterAll(() => env?.stop());

const run = async (tenantId: string, id: string) => (await env.store.getRun(tenantId, id))!;

describe('Graph categories end to end', () => {
  it('a scheduled backup of all categories succeeds and keeps settings-catalog settings and administrative-template values', async () => {
    await putSchedule(env.doc, env.table, { id: 'everything', categories: [...CATEGORIES] });
    const { run: started } = await startChecked(env, 'backup_schedule.run_now', { scheduleId: 'everything' });
    await env.drain(200);
    const done = await run('contoso', started.id);
    expect(done).toMatchObject({ outcome: 'succeeded', failureCount: 0 });
    expect(done.summaryCounts).toMatchObject({ total: 60, created: 60, failed: 0 });
    const items = await new BackupStore(env.doc, env.table).listItems('contoso', done.context.backupSetId as string);
    const sim = new Map(env.sim.policies('contoso').map((p) => [p.id, p]));
    const catalog = items.filter((i) => i.category === 'configurationPolicies');
    expect(catalog.length).toBe(10);
    for (const item of catalog) {
      const want = sim.get(item.policyId)!.relations.settings!;
      // Every setting, past the 25 of the first page.
      expect((item.content.settings as unknown[]).length).toBe(want.length);
      expect(item.content.settings).toEqual(want);
    }
    expect(catalog.some((i) => (i.content.settings as unknown[]).length > 25)).toBe(true);
    for (const item of items.filter((i) => i.category === 'groupPolicyConfigurations')) {
      const want = sim.get(item.policyId)!.relations.definitionValues!;
      const values = item.content.definitionValues as Array<Record<string, any>>;
      expect(values.length).toBe(want.length);
      expect(values.length).toBeGreaterThan(0);
      for (const v of values) {
        expect(v.definition.id).toMatch(/^[0-9a-f-]{36}$/);
        expect(v.presentationValues.length).toBeGreaterThan(0);
        expect(v.presentationValues[0].presentation.id).toMatch(/^[0-9a-f-]{36}$/);
      }
    }
    for (const item of items.filter((i) => i.category === 'deviceCompliancePolicies')) {
      expect((item.content.scheduledActionsForRule as Array<Record<string, any>>)[0].scheduledActionConfigurations.some((c: { actionType: string }) => c.actionType === 'block')).toBe(true);
    }
    for (const item of items.filter((i) => i.category === 'managedAppPolicies')) {
      expect(item.content['@odata.type']).toMatch(/^#microsoft\.graph\./);
      expect(item.assignments).toEqual(sim.get(item.policyId)!.assignments.map(({ id, target }) => ({ id, target })));
    }
  }, 180_000);

  it('unavailable=configurationPolicies: inventory and policy syncs end partially_succeeded with one category failure', async () => {
    env.sim.setFaults(parseFaults('unavailable=configurationPolicies'));
    try {
      for (const type of ['inventory.sync', 'policy.sync'] as const) {
        const { run: started } = await startChecked(env, type, {});
        await env.drain(200);
        const done = await run('contoso', started.id);
        expect(done, type).toMatchObject({ outcome: 'partially_succeeded', failureCount: 1 });
        expect(done.failures).toEqual([expect.objectContaining({ code: 'graph_category_unavailable', itemId: 'configurationPolicies' })]);
        expect(done.summaryCounts.succeeded).toBe(50);
      }
    } finally {
      env.sim.setFaults({});
    }
    env.sim.setFaults(parseFaults('unavailable=managedAppPolicies:403'));
    try {
      const { run: started } = await startChecked(env, 'inventory.sync', { categories: ['managedAppPolicies', 'deviceConfigurations'] });
      await env.drain(200);
      const done = await run('contoso', started.id);
      expect(done).toMatchObject({ outcome: 'partially_succeeded', failures: [{ code: 'graph_category_unavailable', itemId: 'managedAppPolicies' }] });
    } finally {
      env.sim.setFaults({});
    }
  }, 180_000);

  it('heavy throttling with Retry-After beyond the budget: no invocation passes its timeout, no message fails, nothing is dead-lettered', async () => {
    const TIMEOUT_MS = 30_000;
    const a = (await startChecked(env, 'policy.sync', {}, 'contoso')).run;
    const b = (await startChecked(env, 'directory_groups.sync', {}, 'fabrikam')).run;
    env.sim.setFaults({ throttle: 0.5, retryAfterSeconds: 40 });
    env.sim.throttleNext(4, 40);
    let worst = Number.POSITIVE_INFINITY;
    let failedMessages = 0;
    let polls = 0;
    const invocation = async () => {
        // One simulated invocation whose clock is the (fake) sleeps the Graph client took — deterministic
        // on a loaded machine; sleeping out Retry-After is what used to run invocations into their timeout.
        const slept = env.sleeps.length;
        const remaining = () => TIMEOUT_MS - env.sleeps.slice(slept).reduce((s, x) => s + x, 0);
        const got = await env.pollOnce(env.workQueueUrl, remaining);
        worst = Math.min(worst, remaining());
        failedMessages += got.failed;
        polls++;
        return got.received;
    };
    const throttledBefore = env.sim.requests.filter((r) => r.status === 429).length;
    try {
      // While Graph throttles heavily: every invocation ends in time, every message succeeds (deferred), nothing fails.
      for (let i = 0; i < 25; i++) await invocation();
      for (const [t, r] of [['contoso', a], ['fabrikam', b]] as const) expect((await run(t, r.id)).outcome).not.toBe('failed');
    } finally {
      env.sim.setFaults({});
    }
    // Throttling over: the continuations finish both runs.
    for (let i = 0; i < 100 && (await invocation()) > 0; i++);
    expect(env.sim.requests.filter((r) => r.status === 429).length - throttledBefore).toBeGreaterThan(10);
    expect(worst).toBeGreaterThan(0);
    expect(failedMessages).toBe(0);
    expect(await receiveAll(env.sqs, env.dlqUrl)).toEqual([]);
    expect(await run('contoso', a.id)).toMatchObject({ status: 'completed', outcome: 'succeeded' });
    expect(await run('fabrikam', b.id)).toMatchObject({ status: 'completed', outcome: 'succeeded' });
  }, 300_000);
});
