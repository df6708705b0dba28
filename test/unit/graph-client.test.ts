import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGraphSim, type GraphSim } from '../../infra/local/graph-sim.js';
import { GraphClient, parseRetryAfter, type GraphClientOptions } from '../../shared/graph/client.js';
import { GraphError } from '../../shared/graph/errors.js';
import { LocalSecretResolver } from '../../shared/graph/secrets.js';
import { msalAppTokens } from '../../shared/graph/msal-tokens.js';

let sim: GraphSim;
beforeAll(async () => { sim = await startGraphSim({ port: 0, latencyMs: 0, pageSize: 3 }); });
afterAll(async () => { await sim.stop(); });
beforeEach(() => { sim.setFaults({}); sim.throttleNext(0); sim.requests.length = 0; });

function client(over: Partial<GraphClientOptions> = {}) {
  const sleeps: number[] = [];
  const c = new GraphClient({ settings: sim.settingsFor('contoso'), secrets: new LocalSecretResolver(), appTokens: msalAppTokens, sleep: async (ms) => { sleeps.push(ms); }, random: () => 0.5, ...over });
  return { c, sleeps };
}

/** A fetch that answers the token endpoint normally and Graph calls with the given responses, in order. */
function scriptedFetch(answers: Array<() => Response>) {
  const calls: string[] = [];
  const f = (async (url: string | URL | Request) => {
    const u = String(url);
    calls.push(u);
    if (u.includes('/oauth2/')) return Response.json({ access_token: 'tok-1', expires_in: 3600 });
    const next = answers.shift();
    if (!next) throw new Error('no more scripted answers');
    return next();
  }) as typeof fetch;
  return { f, calls };
}

const tokenRequests = () => sim.requests.filter((r) => r.path.includes('oauth2')).length;

describe('the Graph client', () => {
  it('fetches one app token through MSAL and serves later calls from its cache', async () => {
    const { c } = client();
    await c.listPolicies('deviceConfigurations');
    await c.listGroups();
    await c.getPolicy('deviceConfigurations', sim.policies('contoso').find((p) => p.category === 'deviceConfigurations')!.id);
    expect(tokenRequests()).toBe(1);
    // MSAL was given the authority's metadata: it asked nothing but the token endpoint.
    expect(sim.requests.filter((r) => r.version === null).map((r) => r.path.split('?')[0])).toEqual(['/contoso/oauth2/v2.0/token']);
  });

  it('shares one token fetch between concurrent first requests', async () => {
    const { c } = client();
    await Promise.all([c.listGroups(), c.listGroups(), c.listPolicies('managedAppPolicies')]);
    expect(tokenRequests()).toBe(1);
  });

  it('follows @odata.nextLink until the last page', async () => {
    const { c } = client();
    const ids: string[] = [];
    let link: string | null = null;
    let pages = 0;
    do {
      const page = await c.listPolicies('deviceConfigurations', link);
      ids.push(...page.items.map((p) => p.id));
      link = page.nextLink;
      pages++;
    } while (link);
    const expected = sim.policies('contoso').filter((p) => p.category === 'deviceConfigurations').map((p) => p.id);
    expect(ids).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 3));
  });

  it('honours Retry-After on 429 and then succeeds', async () => {
    const { c, sleeps } = client();
    sim.throttleNext(2, 3);
    const page = await c.listGroups();
    expect(page.items.length).toBe(3);
    expect(sleeps).toEqual([3150, 3150]); // 3 s + 10 % jitter at random() = 0.5 → 5 %
    expect(sim.requests.filter((r) => r.status === 429)).toHaveLength(2);
  });

  it('reads an HTTP-date Retry-After', () => {
    const now = Date.parse('2026-11-26T15:00:00Z');
    expect(parseRetryAfter('Thu, 26 Nov 2026 15:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter(null, now)).toBeNull();
  });

  it('backs off exponentially with a cap when 503 has no Retry-After, then gives up as graph_unavailable', async () => {
    const { f } = scriptedFetch(Array.from({ length: 6 }, () => () => new Response('{}', { status: 503 })));
    const { c, sleeps } = client({ fetch: f, maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1000 });
    const err = await c.listGroups().catch((e) => e);
    expect(err).toBeInstanceOf(GraphError);
    expect(err.code).toBe('graph_unavailable');
    expect(err.transient).toBe(true);
    // cap/2 + random(0.5)·cap/2 with cap = min(1000, 100·2^n)
    expect(sleeps).toEqual([75, 150, 300, 600, 750]);
  });

  it('does not wait out a Retry-After longer than it may wait', async () => {
    const { f } = scriptedFetch([() => new Response('{}', { status: 429, headers: { 'Retry-After': '600' } })]);
    const { c, sleeps } = client({ fetch: f, maxRetryAfterMs: 60_000 });
    const err = await c.listGroups().catch((e) => e);
    expect(err.code).toBe('graph_throttled');
    expect(err.retryAfterMs).toBe(600_000);
    expect(sleeps).toEqual([]);
  });

  it('maps Graph answers to stable codes', async () => {
    const { c } = client();
    const [policy] = sim.policies('contoso');
    sim.setFaults({ forbidden: [policy.id] });
    expect((await c.getPolicy(policy.category, policy.id).catch((e) => e)).code).toBe('graph_forbidden');
    expect((await c.getPolicy('deviceConfigurations', '00000000-0000-4000-a000-000000000000').catch((e) => e)).code).toBe('graph_not_found');
    const statuses: Array<[number, string]> = [[400, 'graph_bad_request'], [500, 'graph_error'], [409, 'graph_bad_request']];
    for (const [status, code] of statuses) {
      const { f } = scriptedFetch([() => Response.json({ error: { code: 'X', message: 'nope' } }, { status })]);
      expect((await client({ fetch: f }).c.listGroups().catch((e) => e)).code).toBe(code);
    }
  });

  it('fails as graph_auth_failed when the client secret is wrong', async () => {
    const { c } = client({ secrets: new LocalSecretResolver({}, 'not-the-sim-secret') });
    const err = await c.listGroups().catch((e) => e);
    expect(err).toBeInstanceOf(GraphError);
    expect(err.code).toBe('graph_auth_failed');
    expect(err.message).not.toContain('not-the-sim-secret');
  });

  it('refreshes the token once when Graph answers 401', async () => {
    const { f, calls } = scriptedFetch([() => new Response('{}', { status: 401 }), () => Response.json({ value: [] })]);
    const { c } = client({ fetch: f });
    await expect(c.listGroups()).resolves.toEqual({ items: [], nextLink: null });
    expect(calls.filter((u) => u.includes('oauth2'))).toHaveLength(2);
  });

  it('sanitizes error messages that quote credentials', async () => {
    const leaky = 'bad request: client_secret=s3cr3tValue99 Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    const { f } = scriptedFetch([() => Response.json({ error: { code: 'BadRequest', message: leaky } }, { status: 400 })]);
    const err = await client({ fetch: f }).c.listGroups().catch((e) => e);
    expect(err.code).toBe('graph_bad_request');
    expect(err.message).toContain('Graph answered 400');
    expect(err.message).not.toContain('s3cr3tValue99');
    expect(err.message).not.toContain('eyJhbGci');
    expect(err.message).toContain('[REDACTED]');
  });

  it('refuses a nextLink that points at another host', async () => {
    const { f } = scriptedFetch([() => Response.json({ value: [], '@odata.nextLink': 'https://evil.example/steal' })]);
    expect((await client({ fetch: f }).c.listGroups().catch((e) => e)).code).toBe('graph_error');
  });

  it('writes a policy back so a later read sees the change', async () => {
    const { c } = client();
    const p = sim.policies('contoso').find((x) => x.category === 'deviceCompliancePolicies')!;
    const before = await c.getPolicy(p.category, p.id);
    const target = { '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId: sim.groups('contoso')[0].id };
    await c.writePolicy(p.category, p.id, { content: { ...before.content, description: 'restored' }, assignments: [{ target }] });
    const after = await c.getPolicy(p.category, p.id);
    expect(after.content.description).toBe('restored');
    expect(after.assignments.map((a) => a.target)).toEqual([target]);
  });

  it('searches groups with a delegated token, never the app token', async () => {
    const { c } = client();
    const found = await c.searchGroups('sales', sim.delegatedToken('contoso'));
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((g) => /sales/i.test(g.displayName))).toBe(true);
    expect(tokenRequests()).toBe(0);
    const err = await c.searchGroups('sales', 'not-a-token').catch((e) => e);
    expect(err.code).toBe('graph_auth_failed');
  });
});

describe('the simulated Graph', () => {
  it('serves the same dataset on every start (seeded, per tenant)', async () => {
    const other = await startGraphSim({ port: 0, latencyMs: 0 });
    const third = await startGraphSim({ port: 0, latencyMs: 0 });
    try {
      expect(other.policies('contoso')).toEqual(third.policies('contoso'));
      expect(other.groups('fabrikam')).toEqual(third.groups('fabrikam'));
      expect(other.policies('fabrikam')[0].id).not.toBe(other.policies('contoso')[0].id);
      expect(other.policies('contoso')).toHaveLength(60);
      expect(other.groups('contoso')).toHaveLength(40);
      expect(other.policies('fabrikam')).toHaveLength(25);
      expect(other.groups('fabrikam')).toHaveLength(10);
      expect(new Set(other.policies('contoso').map((p) => p.category)).size).toBe(6);
    } finally {
      await other.stop();
      await third.stop();
    }
  });

  it('injects 503s with Retry-After at the configured rate', async () => {
    sim.setFaults({ error: 1, retryAfterSeconds: 2 });
    const { c, sleeps } = client({ maxRetries: 1 });
    const err = await c.listGroups().catch((e) => e);
    expect(err.code).toBe('graph_unavailable');
    expect(sleeps).toEqual([2100]);
  });
});

describe('time budgets', () => {
  it('a Retry-After beyond the budget fails at once as transient, with the wait to defer, and sleeps nothing', async () => {
    const { f } = scriptedFetch([() => new Response('{}', { status: 429, headers: { 'Retry-After': '30' } })]);
    const { c, sleeps } = client({ fetch: f });
    const err = await c.withBudget(() => 10_000).listGroups().catch((e) => e);
    expect(err).toMatchObject({ code: 'graph_throttled', retryAfterMs: 30_000 });
    expect(err.transient).toBe(true);
    expect(err.deferMs).toBe(31_500); // 30 s + 5 % jitter at random() = 0.5
    expect(sleeps).toEqual([]);
  });

  it('waits inside the budget, and defers once it is spent', async () => {
    let left = 5_000;
    const { f } = scriptedFetch([
      () => new Response('{}', { status: 429, headers: { 'Retry-After': '2' } }),
      () => new Response('{}', { status: 429, headers: { 'Retry-After': '2' } }),
      () => new Response('{}', { status: 429, headers: { 'Retry-After': '2' } }),
    ]);
    const { c, sleeps } = client({ fetch: f, sleep: async (ms) => { sleeps.push(ms); left -= ms; } });
    const err = await c.withBudget(() => left).listGroups().catch((e) => e);
    expect(sleeps).toEqual([2100, 2100]);
    expect(err.deferMs).toBe(2100);
  });

  it('retries exhausted within the budget are not a deferral (redelivery handles them)', async () => {
    const { f } = scriptedFetch(Array.from({ length: 3 }, () => () => new Response('{}', { status: 503 })));
    const err = await client({ fetch: f, maxRetries: 2, baseDelayMs: 1 }).c.withBudget(() => 60_000).listGroups().catch((e) => e);
    expect(err).toMatchObject({ code: 'graph_unavailable', deferMs: null });
  });

  it('a budgeted view shares the token cache', async () => {
    const { c } = client();
    await c.listGroups();
    await c.withBudget(() => 60_000).listGroups();
    expect(tokenRequests()).toBe(1);
  });
});
