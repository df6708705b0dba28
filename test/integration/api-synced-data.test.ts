import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestApi } from '../support/api.js';

let api: TestApi;

async function runToCompletion(user: string, tenant: string, body: unknown) {
  const res = await api.call('POST', `/tenants/${tenant}/runs`, { user, body });
  expect([200, 202]).toContain(res.status);
  const id = res.json.run.id;
  for (let i = 0; i < 300; i++) {
    const run = await api.call('GET', `/tenants/${tenant}/runs/${id}`, { user });
    if (run.json.status === 'completed') return run.json;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`run ${id} did not complete`);
}

beforeAll(async () => {
  api = await startTestRuntime({ background: true, visibilityTimeoutSeconds: 5 });
  for (const type of ['inventory.sync', 'policy.sync', 'directory_groups.sync']) {
    const run = await runToCompletion('alice', 'contoso', { type });
    expect(run.outcome).toBe('succeeded');
  }
}, 120_000);
afterAll(async () => {
  await api?.runtime.stop();
});

describe('DB-only reads of synced data', () => {
  it('GET inventory pages through items and filters by category', async () => {
    const all: any[] = [];
    let cursor: string | null = null;
    do {
      const res = await api.call('GET', `/tenants/contoso/inventory?limit=25${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { user: 'carol' });
      expect(res.status).toBe(200);
      all.push(...res.json.items);
      cursor = res.json.nextCursor;
    } while (cursor);
    expect(all.length).toBeGreaterThanOrEqual(50);
    expect(new Set(all.map((i) => `${i.category}/${i.objectId}`)).size).toBe(all.length);
    const one = await api.call('GET', '/tenants/contoso/inventory?category=managedAppPolicies&limit=100', { user: 'carol' });
    expect(one.json.items.length).toBeGreaterThan(0);
    expect(one.json.items.every((i: any) => i.category === 'managedAppPolicies' && i.deleted === false)).toBe(true);
    expect(one.json.items[0].lastSeenRunId).toBeUndefined();
  });

  it('GET policies lists them; GET one policy answers its versions, newest first', async () => {
    const list = await api.call('GET', '/tenants/contoso/policies?limit=100', { user: 'carol' });
    expect(list.status).toBe(200);
    expect(list.json.items.length).toBeGreaterThanOrEqual(50);
    const id = list.json.items[0].policyId;
    const one = await api.call('GET', `/tenants/contoso/policies/${encodeURIComponent(id)}`, { user: 'carol' });
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ policyId: id, latestVersion: 1 });
    expect(one.json.versions).toHaveLength(1);
    expect(one.json.versions[0]).toMatchObject({ version: 1, content: expect.any(Object), assignments: expect.any(Array) });
    expect((await api.call('GET', '/tenants/contoso/policies/no-such-policy', { user: 'carol' })).status).toBe(404);
  });

  it('GET groups searches the cache by displayName prefix, case-insensitively', async () => {
    const all = await api.call('GET', '/tenants/contoso/groups?limit=100', { user: 'carol' });
    expect(all.status).toBe(200);
    expect(all.json.items.length).toBe(40);
    const name: string = all.json.items[5].displayName;
    const prefix = name.slice(0, 3).toUpperCase();
    const found = await api.call('GET', `/tenants/contoso/groups?search=${encodeURIComponent(prefix)}`, { user: 'carol' });
    expect(found.json.items.length).toBeGreaterThan(0);
    expect(found.json.items.every((g: any) => g.displayName.toLowerCase().startsWith(prefix.toLowerCase()))).toBe(true);
    expect(found.json.items.length).toBeLessThan(40);
  });

  it('another tenant\'s data is 404 for a non-member and invisible in the member\'s own tenant', async () => {
    for (const path of ['inventory', 'policies', 'groups']) {
      expect((await api.call('GET', `/tenants/contoso/${path}`, { user: 'bob' })).status).toBe(404);
      const fab = await api.call('GET', `/tenants/fabrikam/${path}`, { user: 'bob' });
      expect(fab.status).toBe(200);
      expect(fab.json.items).toEqual([]);
    }
  });

  it('bad queries are 400 problems', async () => {
    for (const q of ['inventory?category=nope', 'inventory?includeDeleted=maybe', 'policies?limit=0', 'groups?search=', 'groups?cursor=forged.sig', 'inventory?x=1']) {
      const res = await api.call('GET', `/tenants/contoso/${q}`, { user: 'carol' });
      expect(res.status, q).toBe(400);
    }
  });
});
