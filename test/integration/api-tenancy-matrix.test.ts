/**
 * Tenant isolation and roles on every route, generated from the wiring so a new route is covered
 * the day it is declared: a non-member gets 404 for every tenant route; a member below the route's
 * role gets 403 (with a valid body, so no earlier check answers first); neither writes anything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestApi } from '../support/api.js';
import { routes } from '../../shared/wiring.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestRuntime();
});
afterAll(async () => {
  await api?.runtime.stop();
});

const tenantRoutes = routes.filter((r) => r.path.includes('{tenantId}') && !r.localOnly);

/** A request that passes validation on each route, so only membership or role can refuse it. */
const validRequest: Record<string, { query?: string; body?: unknown; headers?: Record<string, string> }> = {
  'POST /tenants/{tenantId}/runs': { body: { type: 'inventory.sync', input: {} } },
  'POST /tenants/{tenantId}/backup-sets': { body: { name: 'Matrix set' } },
  'POST /tenants/{tenantId}/backup-schedules': { body: { name: 'Matrix', cron: '0 3 * * *', keepLast: 3 } },
  'PATCH /tenants/{tenantId}/backup-schedules/{scheduleId}': { body: { enabled: false } },
  'GET /tenants/{tenantId}/directory/group-search': { query: 'q=fin', headers: { 'x-graph-delegated-token': 'FAKE-delegated-token' } },
  'PUT /tenants/{tenantId}/members/{userId}': { body: { role: 'readonly' } },
  'POST /tenants/{tenantId}/invitations': { body: { email: 'matrix@example.com', role: 'readonly' } },
  'GET /tenants/{tenantId}/audit': { query: 'action=member.added' },
  'PUT /tenants/{tenantId}/graph-credential': { body: { credential: { type: 'secret', secret: 'FAKE-matrix-client-secret' } } },
};

const concrete = (path: string, tenant: string) => path.replace('{tenantId}', tenant).replace(/\{\w+\}/g, 'matrix-id');

/** Routes a readonly member may not use, and the role each needs. */
const aboveReadonly: Array<[string, string]> = [
  ['POST /tenants/{tenantId}/runs', 'operator'],
  ['POST /tenants/{tenantId}/backup-sets', 'operator'],
  ['POST /tenants/{tenantId}/backup-schedules', 'manager'],
  ['PATCH /tenants/{tenantId}/backup-schedules/{scheduleId}', 'manager'],
  ['DELETE /tenants/{tenantId}/backup-schedules/{scheduleId}', 'manager'],
  ['GET /tenants/{tenantId}/directory/group-search', 'manager'],
  ['GET /tenants/{tenantId}/members', 'owner'],
  ['PUT /tenants/{tenantId}/members/{userId}', 'owner'],
  ['DELETE /tenants/{tenantId}/members/{userId}', 'owner'],
  ['GET /tenants/{tenantId}/invitations', 'owner'],
  ['POST /tenants/{tenantId}/invitations', 'owner'],
  ['DELETE /tenants/{tenantId}/invitations/{invitationId}', 'owner'],
  ['GET /tenants/{tenantId}/audit', 'owner'],
  ['PUT /tenants/{tenantId}/graph-credential', 'owner'],
];

describe('tenant isolation on every tenant route', () => {
  it('the matrix covers every tenant route of the wiring', () => {
    expect(tenantRoutes.length).toBeGreaterThanOrEqual(26);
  });

  it.each(tenantRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s: a non-member gets 404 and nothing is written', async (key, r) => {
    const req = validRequest[key] ?? {};
    const before = await api.snapshot();
    for (const [user, tenant] of [['bob', 'contoso'], ['carol', 'fabrikam'], ['alice', 'no-such-tenant']] as const) {
      const res = await api.call(r.method, `${concrete(r.path, tenant)}${req.query ? `?${req.query}` : ''}`, { user, body: req.body, headers: req.headers });
      expect(res.status, `${user} → ${tenant}`).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    expect(await api.snapshot()).toBe(before);
  });
});

describe('roles on every route above readonly', () => {
  it.each(aboveReadonly)('%s needs %s: readonly gets 403 and nothing is written', async (key) => {
    const r = tenantRoutes.find((x) => `${x.method} ${x.path}` === key)!;
    expect(r).toBeDefined();
    const req = validRequest[key] ?? {};
    const before = await api.snapshot();
    const res = await api.call(r.method, `${concrete(r.path, 'contoso')}${req.query ? `?${req.query}` : ''}`, { user: 'carol', body: req.body, headers: req.headers });
    expect(res.status).toBe(403);
    expect(res.json.detail).toMatch(/role/);
    expect(await api.snapshot()).toBe(before);
  });

  it('an operator may not do what needs a manager', async () => {
    for (const [key, role] of aboveReadonly.filter(([, role]) => role === 'manager' || role === 'owner')) {
      const r = tenantRoutes.find((x) => `${x.method} ${x.path}` === key)!;
      const req = validRequest[key] ?? {};
      const res = await api.call(r.method, `${concrete(r.path, 'contoso')}${req.query ? `?${req.query}` : ''}`, { user: 'dave', body: req.body, headers: req.headers });
      expect(res.status, `${key} needs ${role}`).toBe(403);
    }
  });

  it('a manager (dave in fabrikam) may not do what needs an owner, and writes nothing', async () => {
    const before = await api.snapshot();
    for (const [key] of aboveReadonly.filter(([, role]) => role === 'owner')) {
      const r = tenantRoutes.find((x) => `${x.method} ${x.path}` === key)!;
      const req = validRequest[key] ?? {};
      const res = await api.call(r.method, `${concrete(r.path, 'fabrikam')}${req.query ? `?${req.query}` : ''}`, { user: 'dave', body: req.body, headers: req.headers });
      expect(res.status, `${key} needs owner`).toBe(403);
      expect(res.json.detail).toMatch(/role/);
    }
    expect(await api.snapshot()).toBe(before);
  });

  it('every other tenant route is open to readonly members', async () => {
    const readable = tenantRoutes.filter((r) => !aboveReadonly.some(([k]) => k === `${r.method} ${r.path}`) && !r.path.endsWith('/cancel'));
    for (const r of readable) {
      const res = await api.call(r.method, concrete(r.path, 'contoso'), { user: 'carol' });
      expect([200, 404], `${r.method} ${r.path} → ${res.status}`).toContain(res.status);
      if (res.status === 404) expect(res.json.detail).not.toMatch(/tenant/i);
    }
  });
});

describe('platform routes (issue 19): only platform admins', () => {
  const platformRoutes = routes.filter((r) => r.path === '/tenants' && !r.localOnly);
  const body = { tenantId: 'matrix-new', name: 'Matrix', graph: { cloud: 'global', directoryTenantId: '00000000-0000-4000-8000-000000000001', clientId: '00000000-0000-4000-8000-000000000002', credential: { type: 'secret', secret: 'FAKE-matrix-client-secret' } } };

  it('covers POST and GET /tenants', () => {
    expect(platformRoutes.map((r) => r.method).sort()).toEqual(['GET', 'POST']);
  });

  it.each(platformRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s: a signed-in non-admin gets 403 (even an owner), no token 401, and nothing is written', async (_key, r) => {
    const before = await api.snapshot();
    for (const user of ['bob', 'carol', 'dave', 'mallory']) {
      const res = await api.call(r.method, r.path, { user, body: r.method === 'GET' ? undefined : body });
      expect(res.status, user).toBe(403);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await api.call(r.method, r.path, { body: r.method === 'GET' ? undefined : body })).status).toBe(401);
    expect(await api.snapshot()).toBe(before);
  });
});
