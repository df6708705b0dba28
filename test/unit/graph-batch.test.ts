/**
 * Reads through Graph's JSON batching (issue 13 §9): up to 20 requests per $batch, one API version
 * per batch, each sub-response with its own status — a 429 inside a batch retried alone after its own
 * Retry-After, within the client's budget — and the simulator's $batch and per-tenant limit.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGraphSim, type GraphSim } from '../../infra/local/graph-sim.js';
import { GraphClient, type GraphClientOptions } from '../../shared/graph/client.js';
import { msalAppTokens } from '../../shared/graph/msal-tokens.js';
import { LocalSecretResolver } from '../../shared/graph/secrets.js';
import type { Category } from '../../shared/runs/catalog.js';

let sim: GraphSim;
beforeAll(async () => { sim = await startGraphSim({ port: 0, latencyMs: 0, pageSize: 10, tenantLimit: null, tenants: { contoso: { policies: 160, groups: 5 } } }); });
afterAll(async () => { await sim.stop(); });
beforeEach(() => { sim.setFaults({}); sim.throttleNext(0); sim.setTenantLimit(null); sim.requests.length = 0; });

function client(over: Partial<GraphClientOptions> = {}) {
  const sleeps: number[] = [];
  const c = new GraphClient({ settings: sim.settingsFor('contoso'), secrets: new LocalSecretResolver(), appTokens: msalAppTokens, sleep: async (ms) => { sleeps.push(ms); }, random: () => 0, ...over });
  return { c, sleeps };
}

const ofCategory = (category: Category) => sim.policies('contoso').filter((p) => p.category === category).map((p) => p.id);
/** HTTP round trips to Graph (a $batch envelope counts once; its sub-requests are not round trips). */
const roundTrips = () => sim.requests.filter((r) => r.version !== null && !r.inBatch);
const subRequests = () => sim.requests.filter((r) => r.inBatch);

describe('reads through $batch', () => {
  it('many concurrent reads share round trips (≤ 20 per $batch) and read the same content as one by one', async () => {
    const ids = ofCategory('deviceConfigurations');
    expect(ids.length).toBeGreaterThan(BATCHABLE_MIN);
    const { c } = client();
    const again = await Promise.all(ids.map((id) => c.getPolicy('deviceConfigurations', id)));
    const trips = roundTrips();
    expect(trips.every((r) => r.path === '$batch')).toBe(true);
    expect(trips).toHaveLength(Math.ceil(ids.length / 20));
    expect(subRequests()).toHaveLength(ids.length);
    sim.requests.length = 0;
    const { c: plain } = client({ batching: false });
    const oneByOne = await Promise.all(ids.map((id) => plain.getPolicy('deviceConfigurations', id)));
    expect(roundTrips()).toHaveLength(ids.length);
    expect(subRequests()).toHaveLength(0);
    expect(again).toEqual(oneByOne);
  });

  it('never mixes API versions in one batch', async () => {
    const sent: Array<{ version: string; urls: string[] }> = [];
    const f = (async (url: string | URL | Request, init?: RequestInit) => {
      const m = /\/(v1\.0|beta)\/\$batch$/.exec(String(url));
      if (m) sent.push({ version: m[1], urls: (JSON.parse(String(init?.body)).requests as Array<{ url: string }>).map((r) => r.url) });
      return fetch(url, init);
    }) as typeof fetch;
    const { c } = client({ fetch: f });
    const reads = [...ofCategory('deviceConfigurations').slice(0, 5).map((id) => ['deviceConfigurations', id] as const), ...ofCategory('configurationPolicies').slice(0, 5).map((id) => ['configurationPolicies', id] as const)];
    await Promise.all(reads.map(([cat, id]) => c.getPolicy(cat, id)));
    expect(new Set(sent.map((b) => b.version))).toEqual(new Set(['v1.0', 'beta']));
    for (const b of sent) {
      const expected = b.version === 'v1.0' ? /^\/deviceManagement\/deviceConfigurations\// : /^\/deviceManagement\/configurationPolicies\//;
      expect(b.urls.every((u) => expected.test(u)), b.urls.join(' ')).toBe(true);
    }
  });

  it('a 429 inside a batch is retried alone, after its own Retry-After', async () => {
    const ids = ofCategory('deviceConfigurations').slice(0, 12);
    const { c, sleeps } = client();
    sim.throttleNext(3, 2);
    const read = await Promise.all(ids.map((id) => c.getPolicy('deviceConfigurations', id)));
    expect(read.map((p) => p.id)).toEqual(ids);
    expect(subRequests().filter((r) => r.status === 429)).toHaveLength(3);
    expect(subRequests()).toHaveLength(ids.length + 3); // only the throttled three again
    expect(sleeps).toEqual([2000, 2000, 2000]);
    expect(roundTrips().map((r) => r.path)).toEqual(['$batch', '$batch']); // the retried three share one batch
  });

  it('a Retry-After inside a batch beyond the budget defers those reads, without sleeping', async () => {
    const ids = ofCategory('deviceConfigurations').slice(0, 4);
    const { c, sleeps } = client();
    sim.throttleNext(1, 30);
    const results = await Promise.allSettled(ids.map((id) => c.withBudget(() => 10_000).getPolicy('deviceConfigurations', id)));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(failed).toHaveLength(1);
    expect(failed[0].reason).toMatchObject({ code: 'graph_throttled', retryAfterMs: 30_000, deferMs: 30_000 });
    expect(sleeps).toEqual([]);
  });

  it('a failed sub-request fails only its own read', async () => {
    const ids = ofCategory('deviceConfigurations').slice(0, 5);
    sim.setFaults({ forbidden: [ids[2]] });
    const { c } = client();
    const results = await Promise.allSettled(ids.map((id) => c.getPolicy('deviceConfigurations', id)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ code: 'graph_forbidden' });
  });
});

const BATCHABLE_MIN = 20;

describe('the simulated $batch', () => {
  async function batch(version: string, requests: unknown[]) {
    const token = await (async () => {
      const res = await fetch(`${sim.url}/contoso/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'contoso-operation-runs-app', client_secret: 'local-sim-secret' }) });
      return ((await res.json()) as { access_token: string }).access_token;
    })();
    const res = await fetch(`${sim.url}/graph/contoso/${version}/$batch`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ requests }) });
    return { status: res.status, body: (await res.json()) as { responses?: Array<{ id: string; status: number; headers?: Record<string, string>; body?: any }>; error?: { message: string } } };
  }

  it('checks each sub-request against the version\'s path tree: an invalid one answers 400 on its own', async () => {
    const [policy] = ofCategory('configurationPolicies');
    const { status, body } = await batch('v1.0', [
      { id: '1', method: 'GET', url: '/deviceManagement/deviceConfigurations' },
      { id: '2', method: 'GET', url: `/deviceManagement/configurationPolicies/${policy}` }, // beta only
      { id: '3', method: 'GET', url: 'https://evil.example/x' },
    ]);
    expect(status).toBe(200);
    expect(body.responses!.map((r) => [r.id, r.status])).toEqual([['1', 200], ['2', 400], ['3', 400]]);
    expect(body.responses![1].body.error.message).toContain("Resource not found for the segment 'configurationPolicies'");
    const beta = await batch('beta', [{ id: 'a', method: 'GET', url: `/deviceManagement/configurationPolicies/${policy}?$expand=settings` }]);
    expect(beta.body.responses![0]).toMatchObject({ id: 'a', status: 200, body: { id: policy } });
  });

  it('refuses more than 20 requests, or duplicate ids, as a whole', async () => {
    const many = Array.from({ length: 21 }, (_, k) => ({ id: String(k), method: 'GET', url: '/groups' }));
    expect((await batch('v1.0', many)).status).toBe(400);
    expect((await batch('v1.0', [{ id: '1', method: 'GET', url: '/groups' }, { id: '1', method: 'GET', url: '/groups' }])).status).toBe(400);
  });

  it('enforces the per-tenant limit per sub-request, with the Retry-After that frees a slot', async () => {
    sim.setTenantLimit({ requests: 5, windowMs: 60_000 });
    const { body } = await batch('v1.0', Array.from({ length: 7 }, (_, k) => ({ id: String(k + 1), method: 'GET', url: '/groups' })));
    expect(body.responses!.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const retryAfter = Number(body.responses![5].headers!['Retry-After']);
    expect(retryAfter).toBeGreaterThan(50);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // A direct request of the same tenant is over the limit too; another tenant is not.
    const res = await fetch(`${sim.url}/graph/contoso/v1.0/groups`, { headers: { Authorization: `Bearer ${sim.delegatedToken('contoso')}` } });
    expect(res.status).toBe(429);
  });
});
