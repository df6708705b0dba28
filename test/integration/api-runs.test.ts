import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATION_TYPES } from '../../shared/operations/catalog.js';
import { CATEGORIES } from '../../shared/runs/catalog.js';
import { startTestRuntime, type TestApi } from '../support/api.js';
import { makeApiDeps, setApiDeps, apiDeps } from '../../shared/http/deps.js';
import { MAX_BODY_BYTES } from '../../shared/http/api.js';
import { routes } from '../../shared/wiring.js';
import { existsSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';

let api: TestApi;
beforeAll(async () => {
  api = await startTestRuntime();
});
afterAll(async () => {
  await api?.runtime.stop();
});

const start = (user: string, body: unknown, tenant = 'contoso') => api.call('POST', `/tenants/${tenant}/runs`, { user, body });
/** A Graph-format id (a GUID) numbered n, and a ULID of ours. */
const gid = (n: number) => `00000000-0000-4000-a000-${String(n).padStart(12, '0')}`;
const ULID_A = '01J00000000000000000000000';
const GUID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

function expectProblem(res: { status: number; headers: Headers; json: any }, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.json).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
}

describe('public routes', () => {
  it('GET /health answers ok without a token', async () => {
    const res = await api.call('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: 'ok' });
  });

  it('GET /openapi.json is an OpenAPI 3.1 document of every deployed route', async () => {
    const res = await api.call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.json.openapi).toBe('3.1.0');
    for (const r of routes.filter((r) => !r.localOnly)) {
      const op = res.json.paths[r.path]?.[r.method.toLowerCase()];
      expect(op, `${r.method} ${r.path}`).toBeDefined();
      // documented from its own schemas, not the generic fallback
      expect(op.summary, `${r.method} ${r.path}`).not.toBe(`${r.method} ${r.path}`);
    }
    expect(res.json.paths['/dev/login']).toBeUndefined();
    const body = res.json.paths['/tenants/{tenantId}/runs'].post.requestBody.content['application/json'].schema;
    expect(JSON.stringify(body)).toContain('inventory.sync');
  });

  it('an unknown path is a 404 problem and a wrong method a 405 problem', async () => {
    expectProblem(await api.call('GET', '/nope'), 404);
    expectProblem(await api.call('DELETE', '/health'), 405);
  });
});

describe('authentication', () => {
  // Every route whose handler exists (the CDK synth test proves every wiring entry exists).
  const authRoutes = routes.filter((r) => r.auth && !r.localOnly && existsSync(r.entry));
  it.each(authRoutes.map((r) => [r.method, r.path] as const))('%s %s without a valid token is 401', async (method, path) => {
    const concrete = path.replace('{tenantId}', 'contoso').replace(/\{\w+\}/g, 'x');
    expectProblem(await api.call(method, concrete), 401);
    expectProblem(await api.call(method, concrete, { headers: { authorization: 'Bearer not.a.jwt' } }), 401);
    expectProblem(await api.call(method, concrete, { headers: { authorization: 'Basic YWxpY2U6cHc=' } }), 401);
  });

  it('a token made as §10 describes it (HS256, LOCAL_JWT_SECRET, claims sub and name) is accepted; a wrong secret, alg none or an expired one is 401', async () => {
    const secret = new TextEncoder().encode('local-dev-secret');
    const sign = (claims: Record<string, unknown>, key = secret) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(key);
    const bearer = async (token: string | Promise<string>) => ({ headers: { authorization: `Bearer ${await token}` } });
    const me = await api.call('GET', '/me', await bearer(sign({ sub: 'carol', name: 'Carol Reader' })));
    expect(me.status).toBe(200);
    expect(me.json).toEqual({ user: { id: 'carol', name: 'Carol Reader' }, memberships: [{ tenantId: 'contoso', tenantName: 'Contoso Ltd', role: 'readonly' }] });
    const now = Math.floor(Date.now() / 1000);
    expectProblem(await api.call('GET', '/me', await bearer(sign({ sub: 'carol', name: 'C' }, new TextEncoder().encode('another-secret')))), 401);
    expectProblem(await api.call('GET', '/me', await bearer(sign({ sub: 'carol', name: 'C', exp: now - 60 }))), 401);
    expectProblem(await api.call('GET', '/me', await bearer(new UnsecuredJWT({ sub: 'carol', name: 'C' }).encode())), 401);
    expectProblem(await api.call('GET', '/me', await bearer(sign({ name: 'no subject' }))), 401);
  });
});

describe('GET /me and GET /operation-types', () => {
  it('/me lists the caller and their memberships', async () => {
    const res = await api.call('GET', '/me', { user: 'dave' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      user: { id: 'dave', name: 'Dave Ops' },
      memberships: [
        { tenantId: 'contoso', tenantName: 'Contoso Ltd', role: 'operator' },
        { tenantId: 'fabrikam', tenantName: 'Fabrikam Inc', role: 'manager' },
      ],
    });
  });

  it('/operation-types lists every operation type with JSON Schemas of their input', async () => {
    const res = await api.call('GET', '/operation-types', { user: 'carol' });
    expect(res.status).toBe(200);
    expect(res.json.items.map((i: any) => i.type).sort()).toEqual([...OPERATION_TYPES].sort());
    expect(res.json.items.map((i: any) => i.type)).toContain('graph.connection_check');
    const restore = res.json.items.find((i: any) => i.type === 'restore.execute');
    expect(restore).toMatchObject({ label: 'Restore', minimumRole: 'manager' });
    expect(restore.inputSchema).toMatchObject({ type: 'object', additionalProperties: false, required: ['backupSetId'] });
  });
});

describe('POST /tenants/{t}/runs', () => {
  it('202 with Location and viewUrl for a new run, then 200 deduplicated for a repeat', async () => {
    const first = await start('alice', { type: 'inventory.sync', input: { categories: ['deviceConfigurations'] } });
    expect(first.status).toBe(202);
    expect(first.json).toMatchObject({ deduplicated: false, run: { status: 'queued', outcome: 'pending', tenantId: 'contoso', initiator: { userId: 'alice', name: 'Alice Admin' }, surface: 'api' } });
    const id = first.json.run.id;
    expect(first.headers.get('location')).toBe(`/tenants/contoso/runs/${id}`);
    expect(first.json.viewUrl).toBe(`/console/tenants/contoso/runs/${id}`);
    expect(first.json.run.leaseExpiresAt).toBeUndefined();
    expect(first.json.run.version).toBeUndefined();
    const again = await start('dave', { type: 'inventory.sync', input: { categories: ['deviceConfigurations'] }, surface: 'console' });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ deduplicated: true, run: { id }, viewUrl: `/console/tenants/contoso/runs/${id}` });
  });

  it('an inventory sync naming every category is the same active run as one naming none (all)', async () => {
    const all = await start('dave', { type: 'inventory.sync', input: {} }, 'fabrikam');
    expect([200, 202]).toContain(all.status);
    const named = await start('dave', { type: 'inventory.sync', input: { categories: [...CATEGORIES].reverse() } }, 'fabrikam');
    expect(named.status).toBe(200);
    expect(named.json).toMatchObject({ deduplicated: true, run: { id: all.json.run.id } });
  });

  it('input defaults to {} and surface to api', async () => {
    const res = await start('alice', { type: 'directory_groups.sync' });
    expect(res.status).toBe(202);
    expect(res.json.run).toMatchObject({ input: {}, surface: 'api' });
  });

  it('a non-member gets 404 for the tenant, even with a valid body', async () => {
    expectProblem(await start('bob', { type: 'inventory.sync', input: {} }), 404);
    expectProblem(await start('mallory', { type: 'inventory.sync', input: {} }), 404);
    expectProblem(await start('alice', { type: 'inventory.sync', input: {} }, 'no-such-tenant'), 404);
  });

  it('a role below the type minimum gets 403 (readonly → sync, operator → restore)', async () => {
    expectProblem(await start('carol', { type: 'inventory.sync', input: {} }), 403);
    expectProblem(await start('dave', { type: 'restore.execute', input: { backupSetId: ULID_A } }), 403);
  });

  it('checks run in order: 401 → 413 → 404 → 400 → 403', async () => {
    const big = JSON.stringify({ type: 'inventory.sync', input: {}, pad: 'x'.repeat(MAX_BODY_BYTES) });
    expectProblem(await api.call('POST', '/tenants/contoso/runs', { raw: big }), 401);
    expectProblem(await api.call('POST', '/tenants/fabrikam/runs', { user: 'carol', raw: big }), 413);
    expectProblem(await api.call('POST', '/tenants/fabrikam/runs', { user: 'carol', raw: '{bad' }), 404);
    expectProblem(await api.call('POST', '/tenants/contoso/runs', { user: 'carol', raw: '{bad' }), 400);
    expectProblem(await api.call('POST', '/tenants/contoso/runs', { user: 'carol', body: { type: 'inventory.sync', input: {} } }), 403);
  });

  const hostile: Array<[string, string]> = [
    ['malformed JSON', '{"type": "inventory.sync",'],
    ['an empty body', ''],
    ['a JSON array', '[]'],
    ['a JSON string', '"inventory.sync"'],
    ['an unknown type', JSON.stringify({ type: 'nuke.everything', input: {} })],
    ['a missing type', JSON.stringify({ input: {} })],
    ['a wrong input type', JSON.stringify({ type: 'inventory.sync', input: 'all' })],
    ['an unknown input field', JSON.stringify({ type: 'inventory.sync', input: { categories: ['deviceConfigurations'], extra: 1 } })],
    ['an unknown body field', JSON.stringify({ type: 'inventory.sync', input: {}, priority: 'high' })],
    ['an unknown category', JSON.stringify({ type: 'inventory.sync', input: { categories: ['everything'] } })],
    ['a huge array (501 policy ids)', JSON.stringify({ type: 'policy.sync', input: { policyIds: Array.from({ length: 501 }, (_, i) => gid(i)) } })],
    ['an empty policy list', JSON.stringify({ type: 'backup_set.add_policies', input: { backupSetId: ULID_A, policyIds: [] } })],
    ['a non-string id', JSON.stringify({ type: 'backup_schedule.run_now', input: { scheduleId: 42 } })],
    ['a surface the caller may not claim', JSON.stringify({ type: 'inventory.sync', input: {}, surface: 'schedule' })],
    ['a __proto__ key', '{"type":"inventory.sync","input":{"__proto__":{"admin":true}}}'],
    ['a constructor key', '{"type":"inventory.sync","constructor":{"prototype":{"x":1}},"input":{}}'],
    ['a __proto__ key in a group mapping', '{"type":"restore.execute","input":{"backupSetId":"01J00000000000000000000000","groupMapping":{"__proto__":"00000000-0000-4000-a000-000000000001"}}}'],
  ];
  it.each(hostile)('%s is a 400 problem and writes nothing', async (_name, raw) => {
    const before = await api.snapshot();
    const res = await api.call('POST', '/tenants/contoso/runs', { user: 'alice', raw });
    expectProblem(res, 400);
    expect(await api.snapshot()).toBe(before);
    expect(({} as any).admin).toBeUndefined();
  });

  it('validation errors list paths and messages', async () => {
    const res = await start('alice', { type: 'inventory.sync', input: { categories: ['everything'], extra: true } });
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.stringMatching(/^input/), message: expect.any(String) })]));
  });

  it('a body over 64 KiB is 413 and writes nothing', async () => {
    const before = await api.snapshot();
    const raw = JSON.stringify({ type: 'policy.sync', input: { policyIds: [gid(0)] }, pad: 'x'.repeat(MAX_BODY_BYTES) });
    expectProblem(await api.call('POST', '/tenants/contoso/runs', { user: 'alice', raw }), 413);
    expect(await api.snapshot()).toBe(before);
  });

  it('refused requests (401, 403, 404) write nothing', async () => {
    const before = await api.snapshot();
    await api.call('POST', '/tenants/contoso/runs', { body: { type: 'policy.sync', input: {} } });
    await start('carol', { type: 'policy.sync', input: {} });
    await start('bob', { type: 'policy.sync', input: {} });
    expect(await api.snapshot()).toBe(before);
  });

  it('an enqueue failure answers 503 with runId and viewUrl, and the run is failed/dispatch_failed with its key free', async () => {
    const real = apiDeps();
    setApiDeps(makeApiDeps({ doc: real.doc, table: real.table, queue: { send: async () => { throw new Error('queue unavailable'); } } }));
    let res;
    try {
      res = await start('alice', { type: 'policy.sync', input: { policyIds: [gid(503)] } });
    } finally {
      setApiDeps(real);
    }
    expectProblem(res, 503);
    expect(res.json.runId).toEqual(expect.any(String));
    expect(res.json.viewUrl).toBe(`/console/tenants/contoso/runs/${res.json.runId}`);
    const run = await api.call('GET', `/tenants/contoso/runs/${res.json.runId}`, { user: 'alice' });
    expect(run.json).toMatchObject({ status: 'completed', outcome: 'failed', failures: [{ code: 'dispatch_failed' }] });
    const retry = await start('alice', { type: 'policy.sync', input: { policyIds: [gid(503)] } });
    expect(retry.status).toBe(202);
  });
});

describe('operation ids (issue 15, item 3)', () => {
  const badIds: Array<[string, Record<string, unknown>]> = [
    ['a dot segment', { policyIds: ['..'] }],
    ['a single dot', { policyIds: ['.'] }],
    ['a path with /', { policyIds: [`${GUID}/../../users`] }],
    ['a backslash', { policyIds: [`${GUID}\\x`] }],
    ['a query', { policyIds: [`${GUID}?$select=id`] }],
    ['a fragment', { policyIds: [`${GUID}#x`] }],
    ['a percent escape', { policyIds: [`${GUID}%2F..`] }],
    ['a space', { policyIds: [`${GUID} `] }],
    ['not a Graph id', { policyIds: ['policy-1'] }],
    ['a GUID too short', { policyIds: [GUID.slice(1)] }],
    ['a redaction marker', { policyIds: ['[REDACTED]'] }],
  ];
  it.each(badIds)('a policy id with %s is a 400 problem naming the field and writes nothing', async (_name, input) => {
    const before = await api.snapshot();
    const res = await start('alice', { type: 'policy.sync', input });
    expectProblem(res, 400);
    expect(res.json.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'input.policyIds.0' })]));
    expect(await api.snapshot()).toBe(before);
  });

  // §3: a reference the input names that does not exist is a 422 — one that could never be an id of
  // ours (not a ULID) included; it is refused without being used in a key.
  it.each([
    ['backup_set.add_policies', { backupSetId: 'set-1', policyIds: [GUID] }, 'input.backupSetId'],
    ['backup_set.add_policies', { backupSetId: `${ULID_A.slice(0, 25)}I`, policyIds: [GUID] }, 'input.backupSetId'],
    ['drift.generate', { baselineBackupSetId: '../x' }, 'input.baselineBackupSetId'],
    ['backup_schedule.run_now', { scheduleId: 'nightly' }, 'input.scheduleId'],
    ['backup_schedule.run_now', { scheduleId: `${ULID_A}#ITEM#x` }, 'input.scheduleId'],
    ['restore.execute', { backupSetId: 'does-not-exist' }, 'input.backupSetId'],
  ])('%s naming a record that cannot exist (%j) is a 422', async (type, input, path) => {
    const before = await api.snapshot();
    const res = await start('dave', { type, input }, 'fabrikam');
    expectProblem(res, 422);
    expect(res.json.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await api.snapshot()).toBe(before);
  });

  it('a retry naming a run id that cannot exist is a 422 on input.runId; a role too low is 403 first', async () => {
    const schedule = await api.call('POST', '/tenants/fabrikam/backup-schedules', { user: 'dave', body: { name: 'Retry target', cron: '0 3 * * *' } });
    expect(schedule.status).toBe(201);
    const before = await api.snapshot();
    const res = await start('dave', { type: 'backup_schedule.retry', input: { scheduleId: schedule.json.id, runId: 'run-1' } }, 'fabrikam');
    expectProblem(res, 422);
    expect(res.json.errors.map((e: { path: string }) => e.path)).toEqual(['input.runId']);
    expectProblem(await start('dave', { type: 'restore.execute', input: { backupSetId: 'does-not-exist' } }), 403); // dave: contoso operator
    expect(await api.snapshot()).toBe(before);
  });

  it.each([
    ['restore.execute', { backupSetId: ULID_A, itemIds: ['a/b'] }, 'input.itemIds.0'],
    ['restore.execute', { backupSetId: ULID_A, groupMapping: { [GUID]: 'group 1' } }, 'input.groupMapping'],
    ['backup_set.add_policies', { backupSetId: '', policyIds: [GUID] }, 'input.backupSetId'],
  ])('%s with a malformed Graph id or an empty reference (%j) is a 400', async (type, input, path) => {
    const before = await api.snapshot();
    const res = await start('dave', { type, input }, 'fabrikam');
    expectProblem(res, 400);
    expect(res.json.errors.map((e: { path: string }) => e.path).some((p: string) => p.startsWith(path))).toBe(true);
    expect(await api.snapshot()).toBe(before);
  });

  it('Graph ids in every documented form are stored and answered exactly as given', async () => {
    const ids = [GUID.toUpperCase(), `T_${GUID}`, `${GUID}_DefaultWindows10EnrollmentCompletionPageConfiguration`, `${GUID}_Limit`];
    const res = await start('alice', { type: 'policy.sync', input: { policyIds: ids } });
    expect(res.status).toBe(202);
    expect(res.json.run.input).toEqual({ policyIds: ids });
    const got = await api.call('GET', `/tenants/contoso/runs/${res.json.run.id}`, { user: 'alice' });
    expect(got.json.input).toEqual({ policyIds: ids });
  });
});

describe('reading runs', () => {
  let runId: string;
  beforeAll(async () => {
    const res = await start('alice', { type: 'policy.sync', input: { policyIds: [gid(1)] } });
    runId = res.json.run.id;
  });

  it('GET one run answers it with an ETag; If-None-Match answers 304', async () => {
    const res = await api.call('GET', `/tenants/contoso/runs/${runId}`, { user: 'carol' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: runId, input: { policyIds: [gid(1)] }, failures: [] });
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    const again = await api.call('GET', `/tenants/contoso/runs/${runId}`, { user: 'carol', headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    await api.call('POST', `/tenants/contoso/runs/${runId}/cancel`, { user: 'alice' });
    const changed = await api.call('GET', `/tenants/contoso/runs/${runId}`, { user: 'carol', headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it('expiresAt is createdAt + 90 days (§4), in the start answer and in every read of the run', async () => {
    const started = await start('alice', { type: 'policy.sync', input: { policyIds: [gid(77)] } });
    const { id, createdAt, expiresAt } = started.json.run;
    expect(Date.parse(expiresAt) - Date.parse(createdAt)).toBe(90 * 86_400_000);
    const one = await api.call('GET', `/tenants/contoso/runs/${id}`, { user: 'carol' });
    const listed = await api.call('GET', '/tenants/contoso/runs?limit=100', { user: 'carol' });
    expect(one.json.expiresAt).toBe(expiresAt);
    expect(listed.json.items.find((r: { id: string }) => r.id === id).expiresAt).toBe(expiresAt);
  });

  it('an unknown run, and another tenant\'s run, are 404', async () => {
    expectProblem(await api.call('GET', '/tenants/contoso/runs/01JH7Z9W3K8Q4V2N6B5C1D0EFG', { user: 'alice' }), 404);
    const other = await start('bob', { type: 'policy.sync', input: {} }, 'fabrikam');
    expect(other.status).toBe(202);
    expectProblem(await api.call('GET', `/tenants/contoso/runs/${other.json.run.id}`, { user: 'dave' }), 404);
    expectProblem(await api.call('GET', `/tenants/fabrikam/runs/${other.json.run.id}`, { user: 'alice' }), 404);
  });

  it('the list is newest first, without input and failures, and pages with a cursor', async () => {
    const page1 = await api.call('GET', '/tenants/contoso/runs?limit=2', { user: 'carol' });
    expect(page1.status).toBe(200);
    expect(page1.json.items).toHaveLength(2);
    expect(page1.json.items[0].input).toBeUndefined();
    expect(page1.json.items[0].failures).toBeUndefined();
    expect(page1.json.items[0].id > page1.json.items[1].id).toBe(true);
    const page2 = await api.call('GET', `/tenants/contoso/runs?limit=2&cursor=${encodeURIComponent(page1.json.nextCursor)}`, { user: 'carol' });
    expect(page2.status).toBe(200);
    expect(page2.json.items[0].id < page1.json.items[1].id).toBe(true);
  });

  it('a full last page says it is the last (nextCursor null), through the table and through an index with a filter', async () => {
    const from = new Date(Date.now() - 1).toISOString();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await start('dave', { type: 'policy.sync', input: { policyIds: [gid(900 + i)] } });
      expect(res.status).toBe(202);
      ids.unshift(res.json.run.id);
    }
    for (const filter of [`from=${from}`, `type=policy.sync&initiator=dave&from=${from}`]) {
      const page1 = await api.call('GET', `/tenants/contoso/runs?limit=2&${filter}`, { user: 'carol' });
      expect(page1.status).toBe(200);
      expect(page1.json.items.map((r: { id: string }) => r.id)).toEqual(ids.slice(0, 2));
      expect(page1.json.nextCursor).toEqual(expect.any(String));
      const page2 = await api.call('GET', `/tenants/contoso/runs?limit=2&${filter}&cursor=${encodeURIComponent(page1.json.nextCursor)}`, { user: 'carol' });
      expect(page2.json.items.map((r: { id: string }) => r.id)).toEqual(ids.slice(2));
      expect(page2.json.nextCursor).toBeNull();
      const whole = await api.call('GET', `/tenants/contoso/runs?limit=4&${filter}`, { user: 'carol' });
      expect({ n: whole.json.items.length, next: whole.json.nextCursor }).toEqual({ n: 4, next: null });
    }
  });

  it('filters narrow the list', async () => {
    const res = await api.call('GET', '/tenants/contoso/runs?type=policy.sync&status=completed&initiator=alice', { user: 'carol' });
    expect(res.status).toBe(200);
    expect(res.json.items.length).toBeGreaterThan(0);
    for (const r of res.json.items) expect(r).toMatchObject({ type: 'policy.sync', status: 'completed', initiator: { userId: 'alice' } });
  });

  it.each([
    ['an unknown filter', 'colour=red'],
    ['a bad status', 'status=finished'],
    ['a bad type', 'type=nope'],
    ['a bad date', 'from=yesterday'],
    ['from after to', 'from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z'],
    ['limit 0', 'limit=0'],
    ['limit 101', 'limit=101'],
    ['a forged cursor', 'cursor=eyJzIjoiIn0.abc'],
  ])('%s is a 400 problem', async (_n, q) => {
    expectProblem(await api.call('GET', `/tenants/contoso/runs?${q}`, { user: 'carol' }), 400);
  });

  it('a cursor with the right scope but a forged signature or a changed last key is a 400', async () => {
    const page1 = await api.call('GET', '/tenants/contoso/runs?limit=1', { user: 'carol' });
    const genuine: string = page1.json.nextCursor;
    expect(genuine).toEqual(expect.any(String));
    const ok = await api.call('GET', `/tenants/contoso/runs?limit=1&cursor=${encodeURIComponent(genuine)}`, { user: 'carol' });
    expect(ok.status).toBe(200); // the control: the genuine cursor is honoured
    const [body, sig] = genuine.split('.');
    const parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { s: string; k: Record<string, string> };
    const rebody = (k: Record<string, string>) => Buffer.from(JSON.stringify({ s: parsed.s, k })).toString('base64url');
    const otherKey = `${body}.${createHmac('sha256', 'a-different-key').update(body).digest('base64url').slice(0, 22)}`;
    const otherPartition = `${rebody(Object.fromEntries(Object.entries(parsed.k).map(([n, v]) => [n, v.replace('contoso', 'fabrikam')])))}.${sig}`;
    const otherSortKey = `${rebody({ ...parsed.k, sk: 'RUN#00000000000000000000000000' })}.${sig}`;
    for (const forged of [otherKey, otherPartition, otherSortKey]) {
      expectProblem(await api.call('GET', `/tenants/contoso/runs?limit=1&cursor=${encodeURIComponent(forged)}`, { user: 'carol' }), 400);
    }
  });

  it('a cursor from another tenant is refused, not honoured', async () => {
    const fab = await api.call('GET', '/tenants/fabrikam/runs?limit=1', { user: 'dave' });
    await start('dave', { type: 'directory_groups.sync' }, 'fabrikam');
    const fab2 = await api.call('GET', '/tenants/fabrikam/runs?limit=1', { user: 'dave' });
    const cursor = fab2.json.nextCursor ?? fab.json.nextCursor;
    expect(cursor).toEqual(expect.any(String));
    expectProblem(await api.call('GET', `/tenants/contoso/runs?cursor=${encodeURIComponent(cursor)}`, { user: 'dave' }), 400);
  });

  it('a non-member cannot list (404)', async () => {
    expectProblem(await api.call('GET', '/tenants/contoso/runs', { user: 'bob' }), 404);
  });
});

describe('POST /tenants/{t}/runs/{id}/cancel', () => {
  it('a queued run completes at once as cancelled (202); a second cancel is 409', async () => {
    const { json } = await start('alice', { type: 'policy.sync', input: { policyIds: [gid(11)] } });
    const res = await api.call('POST', `/tenants/contoso/runs/${json.run.id}/cancel`, { user: 'dave' });
    expect(res.status).toBe(202);
    expect(res.json.run).toMatchObject({ status: 'completed', outcome: 'cancelled', cancelRequested: true });
    expectProblem(await api.call('POST', `/tenants/contoso/runs/${json.run.id}/cancel`, { user: 'dave' }), 409);
  });

  it('readonly is 403, a non-member 404, an unknown run 404 — and none of them writes', async () => {
    const { json } = await start('alice', { type: 'policy.sync', input: { policyIds: [gid(12)] } });
    const before = await api.snapshot();
    expectProblem(await api.call('POST', `/tenants/contoso/runs/${json.run.id}/cancel`, { user: 'carol' }), 403);
    expectProblem(await api.call('POST', `/tenants/contoso/runs/${json.run.id}/cancel`, { user: 'bob' }), 404);
    expectProblem(await api.call('POST', `/tenants/contoso/runs/01JH7Z9W3K8Q4V2N6B5C1D0EFG/cancel`, { user: 'alice' }), 404);
    expect(await api.snapshot()).toBe(before);
  });
});
