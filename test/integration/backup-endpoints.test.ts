/**
 * The backup / schedule / restore / drift / group-search routes through their real handlers (the
 * middy stack), with API Gateway v2 events as the JWT authorizer would pass them.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { parseSettings, setSettings } from '../../shared/settings.js';
import { testEnv } from '../support/services.js';
import { makeApiDeps, setApiDeps } from '../../shared/http/deps.js';
import { seedDemo } from '../../infra/local/seed.js';
import { seedBackupSchedules, NIGHTLY } from '../../infra/local/seed-backup-schedules.js';
import { callRoute } from '../support/route-call.js';
import { startGraphSim, type GraphSim } from '../../infra/local/graph-sim.js';
import { DirectoryStore } from '../../shared/store/directory-store.js';
import { ScheduleStore } from '../../shared/store/schedule-store.js';
import { GroupCacheStore } from '../../shared/store/group-cache-store.js';
import { BackupStore } from '../../shared/store/backup-store.js';

let env: Awaited<ReturnType<typeof testEnv>>;
let sim: GraphSim;
beforeAll(async () => {
  env = await testEnv();
  setApiDeps(makeApiDeps({ doc: env.doc, table: env.table, queue: env.queue }));
  await seedDemo({ doc: env.doc, table: env.table }, [seedBackupSchedules]);
  sim = await startGraphSim({ port: 0, latencyMs: 0 });
  await new DirectoryStore(env.doc, env.table).putTenant({ id: 'contoso', name: 'Contoso Ltd', graph: sim.settingsFor('contoso') });
});
afterAll(async () => {
  setApiDeps(undefined);
  await sim?.stop();
});

const call = callRoute;

const SETS = '/tenants/{tenantId}/backup-sets';
const SET = '/tenants/{tenantId}/backup-sets/{backupSetId}';
const SCHEDULES = '/tenants/{tenantId}/backup-schedules';
const SCHEDULE = '/tenants/{tenantId}/backup-schedules/{scheduleId}';
const contoso = { tenantId: 'contoso' };

describe('backup sets', () => {
  it('an operator creates a set: 201 with Location; it lists newest first and reads back with items', async () => {
    const a = await call('POST', SETS, contoso, { user: 'dave', body: { name: 'Before the change' } });
    expect(a.status).toBe(201);
    expect(a.headers.location).toBe(`/tenants/contoso/backup-sets/${a.body.id}`);
    expect(a.body).toMatchObject({ name: 'Before the change', itemCount: 0, status: 'complete', createdBy: { userId: 'dave' } });
    const b = await call('POST', SETS, contoso, { user: 'alice', body: { name: 'Second' } });
    const list = await call('GET', SETS, contoso, { user: 'carol' });
    expect(list.status).toBe(200);
    expect(list.body.items.map((s: { id: string }) => s.id).slice(0, 2)).toEqual([b.body.id, a.body.id]);
    const paged = await call('GET', SETS, contoso, { user: 'carol', query: { limit: '1' } });
    expect(paged.body.items).toHaveLength(1);
    const next = await call('GET', SETS, contoso, { user: 'carol', query: { limit: '1', cursor: paged.body.nextCursor } });
    expect(next.body.items[0].id).toBe(a.body.id);
    const one = await call('GET', SET, { tenantId: 'contoso', backupSetId: a.body.id }, { user: 'carol' });
    expect(one).toMatchObject({ status: 200, body: { id: a.body.id, items: [] } });
  });

  it('answers 403 to a readonly member, 404 to a non-member and for an unknown set, 400 for a bad body, 401 without a token', async () => {
    expect((await call('POST', SETS, contoso, { user: 'carol', body: { name: 'x' } })).status).toBe(403);
    expect((await call('POST', SETS, contoso, { user: 'dave', body: { name: 'x', extra: 1 } })).status).toBe(400);
    expect((await call('POST', SETS, contoso, { user: 'dave', body: { name: '' } })).status).toBe(400);
    expect((await call('GET', SETS, contoso, { user: 'bob' })).status).toBe(404);
    expect((await call('GET', SET, { tenantId: 'contoso', backupSetId: 'nope' }, { user: 'alice' })).status).toBe(404);
    expect((await call('GET', SETS, contoso, {})).status).toBe(401);
    // A set of contoso is not reachable through fabrikam, where dave is a manager.
    const [own] = (await new BackupStore(env.doc, env.table).listSets('contoso', 1)).items;
    expect((await call('GET', SET, { tenantId: 'fabrikam', backupSetId: own.id }, { user: 'dave' })).status).toBe(404);
  });
});

describe('backup schedules', () => {
  it('the seed holds contoso\'s Nightly schedule once, however often it runs', async () => {
    await seedBackupSchedules({ doc: env.doc, table: env.table });
    const list = await call('GET', SCHEDULES, contoso, { user: 'carol' });
    const nightly = list.body.items.filter((s: { name: string }) => s.name === 'Nightly');
    expect(nightly).toHaveLength(1);
    expect(nightly[0]).toMatchObject({ id: NIGHTLY.id, cron: '0 2 * * *', categories: null, keepLast: 7, enabled: true, lastRunId: null });
    expect(nightly[0].nextRunAt).toMatch(/T02:00:00\.000Z$/);
    expect(nightly[0].version).toBeUndefined();
  });

  it('a manager creates (201 + Location), reads, changes and deletes a schedule', async () => {
    const created = await call('POST', SCHEDULES, contoso, { user: 'alice', body: { name: 'Hourly', cron: '15 * * * *', categories: ['deviceConfigurations'], keepLast: 3 } });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(created.headers.location).toBe(`/tenants/contoso/backup-schedules/${id}`);
    expect(created.body).toMatchObject({ enabled: true, keepLast: 3, lastRunId: null });
    expect(created.body.nextRunAt).toMatch(/:15:00\.000Z$/);
    const got = await call('GET', SCHEDULE, { tenantId: 'contoso', scheduleId: id }, { user: 'carol' });
    expect(got).toMatchObject({ status: 200, body: { id, history: [] } });
    const off = await call('PATCH', SCHEDULE, { tenantId: 'contoso', scheduleId: id }, { user: 'alice', body: { enabled: false } });
    expect(off).toMatchObject({ status: 200, body: { enabled: false, nextRunAt: null } });
    // Disabled: out of the due index, so no tick can pick it.
    expect((await new ScheduleStore(env.doc, env.table).listDue('2999-01-01T00:00:00.000Z')).items.map((d) => d.scheduleId)).not.toContain(id);
    const on = await call('PATCH', SCHEDULE, { tenantId: 'contoso', scheduleId: id }, { user: 'alice', body: { enabled: true, cron: '0 3 * * 1' } });
    expect(on.body.nextRunAt).toMatch(/T03:00:00\.000Z$/);
    expect((await call('DELETE', SCHEDULE, { tenantId: 'contoso', scheduleId: id }, { user: 'alice' })).status).toBe(204);
    expect((await call('GET', SCHEDULE, { tenantId: 'contoso', scheduleId: id }, { user: 'alice' })).status).toBe(404);
    expect((await call('DELETE', SCHEDULE, { tenantId: 'contoso', scheduleId: id }, { user: 'alice' })).status).toBe(404);
  });

  it('an invalid cron is 400 (bad field, 6 fields, nickname, never fires), as is keepLast out of 1–365', async () => {
    for (const cron of ['61 * * * *', '0 0 2 * * *', '@daily', '0 0 31 2 *', 'not a cron']) {
      const res = await call('POST', SCHEDULES, contoso, { user: 'alice', body: { name: 'Bad', cron } });
      expect(res.status, cron).toBe(400);
      expect(res.headers['content-type']).toBe('application/problem+json');
      expect(res.body.errors[0]).toMatchObject({ path: 'cron' });
    }
    expect((await call('POST', SCHEDULES, contoso, { user: 'alice', body: { name: 'Bad', cron: '0 2 * * *', keepLast: 0 } })).status).toBe(400);
    expect((await call('POST', SCHEDULES, contoso, { user: 'alice', body: { name: 'Bad', cron: '0 2 * * *', keepLast: 366 } })).status).toBe(400);
    expect((await call('PATCH', SCHEDULE, { tenantId: 'contoso', scheduleId: NIGHTLY.id }, { user: 'alice', body: { cron: '99 * * * *' } })).status).toBe(400);
    expect((await call('PATCH', SCHEDULE, { tenantId: 'contoso', scheduleId: NIGHTLY.id }, { user: 'alice', body: {} })).status).toBe(400);
  });

  it('writes need a manager (403), other tenants\' schedules are 404', async () => {
    expect((await call('POST', SCHEDULES, contoso, { user: 'dave', body: { name: 'x', cron: '0 2 * * *' } })).status).toBe(403);
    expect((await call('DELETE', SCHEDULE, { tenantId: 'contoso', scheduleId: NIGHTLY.id }, { user: 'carol' })).status).toBe(403);
    expect((await call('GET', SCHEDULE, { tenantId: 'contoso', scheduleId: NIGHTLY.id }, { user: 'bob' })).status).toBe(404);
    expect((await call('GET', SCHEDULE, { tenantId: 'fabrikam', scheduleId: NIGHTLY.id }, { user: 'dave' })).status).toBe(404);
  });

  it('the /dev handlers refuse to run (404 problem, nothing written) unless the local runtime says so at run time (issue 15, item 5)', async () => {
    const before = JSON.stringify(await new ScheduleStore(env.doc, env.table).get('contoso', NIGHTLY.id));
    for (const [route, body] of [['/dev/schedules/tick', { now: '2099-01-01T02:00:00.000Z' }], ['/dev/login', { userId: 'alice' }]] as const) {
      const res = await call('POST', route, {}, { body });
      expect(res.status, route).toBe(404);
      expect(res.headers?.['content-type']).toContain('application/problem+json');
      expect(res.body).not.toHaveProperty('token');
    }
    expect(JSON.stringify(await new ScheduleStore(env.doc, env.table).get('contoso', NIGHTLY.id))).toBe(before);
  });

  it('POST /dev/schedules/tick starts the due schedules as of `now` and reports skips', async () => {
    // As the local runtime does (LOCAL_RUNTIME=1, read at run time).
    setSettings(parseSettings({ ...process.env, LOCAL_RUNTIME: '1' }));
    onTestFinished(() => setSettings(undefined));
    const res = await call('POST', '/dev/schedules/tick', {}, { body: { now: '2099-01-01T02:00:00.000Z' } });
    expect(res.status).toBe(200);
    expect(res.body.started.length).toBeGreaterThanOrEqual(1);
    expect(res.body.skipped).toEqual([]);
    const nightly = (await new ScheduleStore(env.doc, env.table).get('contoso', NIGHTLY.id))!;
    expect(res.body.started).toContain(nightly.lastRunId);
    expect(nightly.nextRunAt! > '2099-01-01T02:00:00.000Z').toBe(true);
    expect((await call('POST', '/dev/schedules/tick', {}, { body: { now: 'yesterday' } })).status).toBe(400);
  });
});

describe('starting the backup operations through POST /runs', () => {
  // Ids in the formats the operation schemas accept (issue 15, item 3): a ULID of ours, Graph GUIDs.
  const GHOST = '01J0000000000000000000GH0S';
  const gid = (name: string) => `00000000-0000-4000-a000-${Buffer.from(name).toString('hex').padStart(12, '0').slice(-12)}`;
  const RUNS = '/tenants/{tenantId}/runs';

  it('answers 422 for unknown references before writing a run', async () => {
    const cases = [
      { type: 'backup_set.add_policies', input: { backupSetId: GHOST, policyIds: [gid('p')] } },
      { type: 'backup_schedule.run_now', input: { scheduleId: GHOST } },
      { type: 'backup_schedule.retry', input: { scheduleId: NIGHTLY.id, runId: GHOST } },
      { type: 'drift.generate', input: { baselineBackupSetId: GHOST } },
      { type: 'restore.execute', input: { backupSetId: GHOST } },
    ];
    for (const body of cases) {
      const res = await call('POST', RUNS, contoso, { user: 'alice', body });
      expect(res.status, body.type).toBe(422);
    }
    const runs = (await env.store.listRuns('contoso', {}, 100)).items;
    expect(runs.filter((r) => r.type !== 'backup_schedule.run_now')).toHaveLength(0);
  });

  it('a restore mapping to a group missing from the cache is 422 naming it; an operator gets 403 first', async () => {
    const set = await call('POST', SETS, contoso, { user: 'alice', body: { name: 'For restore' } });
    await new GroupCacheStore(env.doc, env.table).putMany([{ tenantId: 'contoso', groupId: gid('known'), displayName: 'Known', mail: null, description: null, securityEnabled: true, mailEnabled: false, lastSeenAt: new Date().toISOString(), lastSeenRunId: 'seed', removed: false, removedAt: null }]);
    const input = { backupSetId: set.body.id, groupMapping: { [gid('src')]: gid('known'), [gid('src2')]: gid('missing') } };
    expect((await call('POST', RUNS, contoso, { user: 'dave', body: { type: 'restore.execute', input } })).status).toBe(403);
    // The set exists but is empty: still 422, and the missing group is named when the set has items.
    const res = await call('POST', RUNS, contoso, { user: 'alice', body: { type: 'restore.execute', input } });
    expect(res.status).toBe(422);
    await new BackupStore(env.doc, env.table).addItem({ id: 'p1', tenantId: 'contoso', backupSetId: set.body.id, policyId: 'p1', category: 'deviceConfigurations', displayName: 'P1', content: {}, assignments: [], contentHash: 'h', capturedAt: new Date().toISOString(), runId: 'seed' });
    const named = await call('POST', RUNS, contoso, { user: 'alice', body: { type: 'restore.execute', input } });
    expect(named.status).toBe(422);
    expect(named.body.detail).toContain(gid('missing'));
    expect(named.body.detail).not.toContain(gid('known'));
    expect((await env.store.listRuns('contoso', { type: 'restore.execute' }, 10)).items).toHaveLength(0);
  });
});

describe('restores and drift findings', () => {
  it('an unknown restore is 404; drift findings list (empty) and validate their query', async () => {
    expect((await call('GET', '/tenants/{tenantId}/restores/{restoreId}', { tenantId: 'contoso', restoreId: 'nope' }, { user: 'carol' })).status).toBe(404);
    const drift = await call('GET', '/tenants/{tenantId}/drift-findings', contoso, { user: 'carol', query: { baselineBackupSetId: 'x' } });
    expect(drift).toMatchObject({ status: 200, body: { items: [], nextCursor: null } });
    expect((await call('GET', '/tenants/{tenantId}/drift-findings', contoso, { user: 'carol', query: { limit: '0' } })).status).toBe(400);
    expect((await call('GET', '/tenants/{tenantId}/drift-findings', contoso, { user: 'carol', query: { bogus: '1' } })).status).toBe(400);
  });
});

describe('RBAC group search (delegated Graph)', () => {
  const SEARCH = '/tenants/{tenantId}/directory/group-search';

  it('without the delegated token header: 428 "delegated Graph sign-in required"', async () => {
    const res = await call('GET', SEARCH, contoso, { user: 'alice', query: { q: 'Sales' } });
    expect(res.status).toBe(428);
    expect(res.body.detail).toBe('delegated Graph sign-in required');
  });

  it('checks q (400) and the manager role (403) first', async () => {
    const headers = { 'x-graph-delegated-token': 'anything' };
    expect((await call('GET', SEARCH, contoso, { user: 'alice', headers })).status).toBe(400);
    expect((await call('GET', SEARCH, contoso, { user: 'alice', headers, query: { q: 'x'.repeat(101) } })).status).toBe(400);
    expect((await call('GET', SEARCH, contoso, { user: 'dave', headers, query: { q: 'Sales' } })).status).toBe(403);
  });

  it('with a delegated token: 200 with matching groups; a token Graph refuses asks for sign-in again', async () => {
    const token = sim.delegatedToken('contoso');
    const seen = sim.requests.length;
    const res = await call('GET', SEARCH, contoso, { user: 'alice', query: { q: 'Sales' }, headers: { 'x-graph-delegated-token': token } });
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    for (const g of res.body.items) {
      expect(Object.keys(g).sort()).toEqual(['displayName', 'id', 'mail']);
      expect(g.displayName).toMatch(/Sales/);
    }
    // Only the search went to Graph (no app token was fetched for it).
    expect(sim.requests.slice(seen).map((r) => r.path.split('?')[0])).toEqual(['groups']);
    const refused = await call('GET', SEARCH, contoso, { user: 'alice', query: { q: 'Sales' }, headers: { 'x-graph-delegated-token': 'sim-delegated.contoso.expired' } });
    expect(refused.status).toBe(428);
  });

  it('Graph throttling past the search budget answers 503 problem+json with Retry-After at once', async () => {
    const token = sim.delegatedToken('contoso');
    const seen = sim.requests.length;
    sim.throttleNext(5, 30);
    try {
      const res = await call('GET', SEARCH, contoso, { user: 'alice', query: { q: 'Sales' }, headers: { 'x-graph-delegated-token': token } });
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(Number(res.headers['Retry-After'] ?? res.headers['retry-after'])).toBeGreaterThanOrEqual(30);
      expect(res.body).toMatchObject({ status: 503, title: 'Service Unavailable' });
      // Graph was asked once: the 30 s wait was not slept inside the request.
      expect(sim.requests.slice(seen).filter((r) => r.status === 429)).toHaveLength(1);
    } finally {
      sim.throttleNext(0);
    }
  });
});

describe('OpenAPI', () => {
  it('documents the backup, schedule, restore, drift and group-search routes from their schemas', async () => {
    const res = await call('GET', '/openapi.json', {});
    const paths = res.body.paths;
    expect(paths['/tenants/{tenantId}/backup-schedules'].post.requestBody.content['application/json'].schema.properties).toHaveProperty('cron');
    expect(paths['/tenants/{tenantId}/backup-sets'].post.responses).toHaveProperty('201');
    expect(paths['/tenants/{tenantId}/drift-findings'].get.parameters.map((p: { name: string }) => p.name)).toContain('baselineBackupSetId');
    expect(paths['/tenants/{tenantId}/directory/group-search'].get.responses).toHaveProperty('428');
    expect(paths['/tenants/{tenantId}/restores/{restoreId}'].get.summary).toMatch(/restore/i);
    expect(paths['/dev/schedules/tick']).toBeUndefined();
  });
});
