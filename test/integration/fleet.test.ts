/**
 * GET /me/fleet against DynamoDB Local: every tenant of the caller, only theirs, active and failed
 * runs of the window newest first, per-tenant summaries, bounded reads with every cap reported.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { startTestRuntime, type TestApi } from '../support/api.js';
import { DirectoryStore } from '../../shared/store/directory-store.js';
import { toRunItem } from '../../shared/store/run-store.js';
import { FLEET_LIMITS } from '../../shared/store/fleet-reads.js';
import { readFleet } from '../../shared/store/fleet.js';
import { emptyCounts, type Run, type RunOutcome, type RunStatus } from '../../shared/runs/model.js';

let api: TestApi;
const HOUR = 3_600_000;
const now = Date.now();

function run(tenantId: string, type: string, status: RunStatus, outcome: RunOutcome, minutesAgo: number): Run {
  const created = now - minutesAgo * 60_000;
  const done = status === 'completed';
  return {
    id: ulid(created), tenantId, type, label: type, status, outcome, input: { secretish: 'not in the summary' },
    identityHash: `h-${Math.random().toString(36).slice(2)}`, initiator: { userId: 'dave', name: 'Dave Ops' }, surface: 'api',
    summaryCounts: emptyCounts(), failures: outcome === 'failed' ? [{ code: 'graph_error', message: 'boom' }] : [], failureCount: outcome === 'failed' ? 1 : 0,
    context: {}, attempt: 1, cancelRequested: false,
    createdAt: new Date(created).toISOString(), startedAt: status === 'queued' ? null : new Date(created + 1000).toISOString(),
    completedAt: done ? new Date(created + 2000).toISOString() : null, durationMs: done ? 1000 : null, queueWaitMs: status === 'queued' ? null : 1000,
    expiresAt: new Date(now + 90 * 24 * HOUR).toISOString(), leaseExpiresAt: status === 'running' ? new Date(now + 60_000).toISOString() : null,
    checkpoint: null, version: done ? 3 : 1,
  };
}

async function putRuns(runs: Run[]) {
  for (let i = 0; i < runs.length; i += 25) {
    await api.doc.send(new BatchWriteCommand({ RequestItems: { [api.runtime.tableName]: runs.slice(i, i + 25).map((r) => ({ PutRequest: { Item: toRunItem(r) } })) } }));
  }
}

const fleet = (user: string, query = '') => api.call('GET', `/me/fleet${query}`, { user });

// contoso and fabrikam are seeded (dave is in both); northwind is alice's only.
const contoso = {
  running: run('contoso', 'inventory.sync', 'running', 'pending', 10),
  failedPolicy: run('contoso', 'policy.sync', 'completed', 'failed', 60),
  succeeded: run('contoso', 'inventory.sync', 'completed', 'succeeded', 120),
  partial: run('contoso', 'policy.sync', 'completed', 'partially_succeeded', 180),
  cancelled: run('contoso', 'inventory.sync', 'completed', 'cancelled', 240),
  succeeded2: run('contoso', 'inventory.sync', 'completed', 'succeeded', 300),
  oldFailed: run('contoso', 'policy.sync', 'completed', 'failed', 25 * 60),
  oldSucceeded: run('contoso', 'inventory.sync', 'completed', 'succeeded', 30 * 60),
};
const fabrikam = {
  queued: run('fabrikam', 'group.sync', 'queued', 'pending', 5),
  failed: run('fabrikam', 'drift.generate', 'completed', 'failed', 90),
  succeeded: run('fabrikam', 'group.sync', 'completed', 'succeeded', 100),
};
const northwind = {
  failed: run('northwind', 'policy.sync', 'completed', 'failed', 20),
  running: run('northwind', 'inventory.sync', 'running', 'pending', 30),
};

beforeAll(async () => {
  api = await startTestRuntime();
  const dir = new DirectoryStore(api.doc, api.runtime.tableName);
  await dir.putTenant({ id: 'northwind', name: 'Northwind Traders' });
  await dir.putMembership('alice', { tenantId: 'northwind', tenantName: 'Northwind Traders', role: 'readonly' });
  await putRuns([...Object.values(contoso), ...Object.values(fabrikam), ...Object.values(northwind)]);
});
afterAll(async () => {
  await api?.runtime.stop();
});

const zero = { succeeded: 0, partially_succeeded: 0, failed: 0, cancelled: 0 };

describe('GET /me/fleet', () => {
  it("a user in two tenants sees both tenants' active and failed runs of the last 24 h, newest first, with names", async () => {
    const res = await fleet('dave');
    expect(res.status).toBe(200);
    expect(Date.parse(res.json.since)).toBeGreaterThanOrEqual(now - 24 * HOUR - 1000);
    expect(Date.parse(res.json.since)).toBeLessThanOrEqual(Date.now() - 24 * HOUR + 1000);
    expect(res.json.runs.map((r: any) => r.id)).toEqual([fabrikam.queued.id, contoso.running.id, contoso.failedPolicy.id, fabrikam.failed.id]);
    expect(res.json.runs.map((r: any) => [r.tenantId, r.tenantName, r.status, r.outcome])).toEqual([
      ['fabrikam', 'Fabrikam Inc', 'queued', 'pending'],
      ['contoso', 'Contoso Ltd', 'running', 'pending'],
      ['contoso', 'Contoso Ltd', 'completed', 'failed'],
      ['fabrikam', 'Fabrikam Inc', 'completed', 'failed'],
    ]);
    // run summaries: the list shape of GET /tenants/{t}/runs, no internals
    for (const r of res.json.runs) {
      expect(r).not.toHaveProperty('input');
      expect(r).not.toHaveProperty('failures');
      expect(r).not.toHaveProperty('checkpoint');
      expect(r).not.toHaveProperty('leaseExpiresAt');
      expect(r).not.toHaveProperty('version');
    }
    const list = await api.call('GET', '/tenants/contoso/runs?status=running', { user: 'dave' });
    const { tenantName, ...asListed } = res.json.runs[1];
    expect(tenantName).toBe('Contoso Ltd');
    expect(asListed).toEqual(list.json.items.find((i: any) => i.id === contoso.running.id));
    expect(res.json.truncated).toBe(false);
  });

  it('summarises completed runs per tenant by type and outcome; old runs are in neither list nor summary', async () => {
    const res = await fleet('dave');
    expect(res.json.tenants).toEqual([
      {
        tenantId: 'contoso', name: 'Contoso Ltd', role: 'operator', truncated: false,
        summary: {
          byType: {
            'inventory.sync': { ...zero, succeeded: 2, cancelled: 1 },
            'policy.sync': { ...zero, failed: 1, partially_succeeded: 1 },
          },
          totals: { succeeded: 2, partially_succeeded: 1, failed: 1, cancelled: 1 },
        },
      },
      {
        tenantId: 'fabrikam', name: 'Fabrikam Inc', role: 'manager', truncated: false,
        summary: {
          byType: { 'drift.generate': { ...zero, failed: 1 }, 'group.sync': { ...zero, succeeded: 1 } },
          totals: { ...zero, succeeded: 1, failed: 1 },
        },
      },
    ]);
    const ids = res.json.runs.map((r: any) => r.id);
    for (const r of [contoso.oldFailed, contoso.oldSucceeded, contoso.succeeded, contoso.partial, contoso.cancelled, fabrikam.succeeded]) expect(ids).not.toContain(r.id);
  });

  it('hours widens or narrows the window', async () => {
    const wide = await fleet('dave', '?hours=48');
    expect(wide.status).toBe(200);
    expect(wide.json.runs.map((r: any) => r.id)).toContain(contoso.oldFailed.id);
    expect(wide.json.tenants[0].summary.totals).toEqual({ succeeded: 3, partially_succeeded: 1, failed: 2, cancelled: 1 });
    const narrow = await fleet('dave', '?hours=1');
    expect(narrow.json.runs.map((r: any) => r.id)).toEqual([fabrikam.queued.id, contoso.running.id]);
    expect(narrow.json.tenants[0].summary).toEqual({ byType: {}, totals: zero });
  });

  it('a tenant the user is not a member of never appears', async () => {
    const dave = await fleet('dave', '?hours=72');
    expect(dave.json.tenants.map((t: any) => t.tenantId)).toEqual(['contoso', 'fabrikam']);
    expect(dave.json.runs.map((r: any) => r.tenantId)).not.toContain('northwind');
    const bob = await fleet('bob');
    expect(bob.json.tenants.map((t: any) => t.tenantId)).toEqual(['fabrikam']);
    expect(new Set(bob.json.runs.map((r: any) => r.tenantId))).toEqual(new Set(['fabrikam']));
    // the control: alice is in northwind, and sees it
    const alice = await fleet('alice');
    expect(alice.json.tenants.map((t: any) => [t.tenantId, t.name, t.role])).toEqual([['contoso', 'Contoso Ltd', 'owner'], ['northwind', 'Northwind Traders', 'readonly']]);
    expect(alice.json.runs.map((r: any) => r.id)).toEqual([contoso.running.id, northwind.failed.id, northwind.running.id, contoso.failedPolicy.id]);
    const outsider = await fleet('mallory');
    expect(outsider.json).toEqual({ since: expect.any(String), tenants: [], runs: [], truncated: false });
  });

  it.each(['?hours=0', '?hours=73', '?hours=abc', '?hours=1.5', '?hours=', '?tenantId=contoso'])('GET /me/fleet%s is a 400 problem', async (q) => {
    const res = await fleet('dave', q);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.json).toMatchObject({ status: 400, title: expect.any(String), detail: expect.any(String) });
  });

  it('without a token it is a 401 problem', async () => {
    const res = await api.call('GET', '/me/fleet');
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('bounded reads', () => {
  it("a tenant's window is cut at its cap and says so; its failed runs beyond the cut are still listed", async () => {
    const dir = new DirectoryStore(api.doc, api.runtime.tableName);
    await dir.putTenant({ id: 'bigco', name: 'Big Co' });
    await dir.putMembership('erin', { tenantId: 'bigco', tenantName: 'Big Co', role: 'readonly' });
    const early = run('bigco', 'policy.sync', 'completed', 'failed', 600);
    const many = Array.from({ length: FLEET_LIMITS.maxRunsPerTenant }, (_, i) => run('bigco', 'inventory.sync', 'completed', 'succeeded', 10 + i));
    await putRuns([early, ...many]);
    const res = await fleet('erin');
    expect(res.status).toBe(200);
    const [bigco] = res.json.tenants;
    expect(bigco.truncated).toBe(true);
    // the window read stopped at the cap: the 200 newest are counted, the older failed run is not
    expect(bigco.summary.totals).toEqual({ ...zero, succeeded: FLEET_LIMITS.maxRunsPerTenant });
    expect(res.json.runs.map((r: any) => r.id)).toEqual([early.id]);
    expect(res.json.truncated).toBe(false);
  });

  it('exactly the cap is not truncated', async () => {
    const dir = new DirectoryStore(api.doc, api.runtime.tableName);
    await dir.putTenant({ id: 'fullco', name: 'Full Co' });
    await dir.putMembership('gina', { tenantId: 'fullco', tenantName: 'Full Co', role: 'readonly' });
    await putRuns(Array.from({ length: FLEET_LIMITS.maxRunsPerTenant }, (_, i) => run('fullco', 'group.sync', 'completed', 'cancelled', 10 + i)));
    const res = await fleet('gina');
    expect(res.json.tenants[0].truncated).toBe(false);
    expect(res.json.tenants[0].summary.totals).toEqual({ ...zero, cancelled: FLEET_LIMITS.maxRunsPerTenant });
  });

  it('at most maxTenants tenants are read (the first by id) and the answer says so; Queries ≈ tenants × pages', async () => {
    const dir = new DirectoryStore(api.doc, api.runtime.tableName);
    const ids = Array.from({ length: FLEET_LIMITS.maxTenants + 1 }, (_, i) => `fleet-${String(i).padStart(3, '0')}`);
    await Promise.all(ids.map((id) => dir.putMembership('frank', { tenantId: id, tenantName: `Tenant ${id}`, role: 'readonly' })));
    await putRuns([run(ids[0], 'inventory.sync', 'running', 'pending', 1), run(ids[FLEET_LIMITS.maxTenants], 'inventory.sync', 'running', 'pending', 1)]);
    const res = await fleet('frank');
    expect(res.status).toBe(200);
    expect(res.json.truncated).toBe(true);
    expect(res.json.tenants.map((t: any) => t.tenantId)).toEqual(ids.slice(0, FLEET_LIMITS.maxTenants));
    expect(res.json.runs.map((r: any) => r.tenantId)).toEqual([ids[0]]);
    // the same read, counted: four single-page Queries per tenant read, nothing for the one left out
    const memberships = await dir.listMemberships('frank');
    const direct = await readFleet({ doc: api.doc, table: api.runtime.tableName, memberships, now: new Date(), hours: 24 });
    expect(direct.queries).toBe(4 * FLEET_LIMITS.maxTenants);
  });

  it('the runs list is capped too, newest kept', async () => {
    const memberships = [{ tenantId: 'contoso', tenantName: 'Contoso Ltd', role: 'owner' as const }, { tenantId: 'fabrikam', tenantName: 'Fabrikam Inc', role: 'manager' as const }];
    const out = await readFleet({ doc: api.doc, table: api.runtime.tableName, memberships, now: new Date(), hours: 24, maxRuns: 2 });
    expect(out.runs.map((r) => r.id)).toEqual([fabrikam.queued.id, contoso.running.id]);
    expect(out.truncated).toBe(true);
  });
});
