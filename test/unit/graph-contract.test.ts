/**
 * The Graph contract (issue 13 §8): every URL the client can build — for every category, app-policy
 * subtype and action (list, read with its expansions, write, assign, groups) — is a path of
 * ../shared/graph-paths.json (Microsoft's generated SDK path trees) for the API version it uses.
 * Static half: the templates the API map declares. Dynamic half: every request the client actually
 * sends while listing, reading and writing back every policy of a large simulated tenant.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPH_PATHS, GRAPH_PATHS_SUPPLEMENT, startGraphSim, type GraphSim } from '../../infra/local/graph-sim.js';
import { APP_SUBTYPES, CATEGORY_API, templatesUsed, type GraphVersion } from '../../shared/graph/api-map.js';
import { GraphClient } from '../../shared/graph/client.js';
import { GraphError } from '../../shared/graph/errors.js';
import { isGraphGuid, isGraphPolicyId } from '../../shared/graph/ids.js';
import { LocalSecretResolver } from '../../shared/graph/secrets.js';
import { msalAppTokens } from '../../shared/graph/msal-tokens.js';
import { CATEGORIES } from '../../shared/runs/catalog.js';

const SHARED = new URL('../../../shared/graph-paths.json', import.meta.url);
// The trees, plus the few documented paths outside them the product reads (the organization).
const TREE: Record<GraphVersion, Set<string>> = {
  'v1.0': new Set([...GRAPH_PATHS.versions['v1.0'], ...GRAPH_PATHS_SUPPLEMENT['v1.0']]),
  beta: new Set([...GRAPH_PATHS.versions.beta, ...GRAPH_PATHS_SUPPLEMENT.beta]),
};

let sim: GraphSim;
beforeAll(async () => { sim = await startGraphSim({ port: 0, latencyMs: 0, pageSize: 7, tenants: { bigco: { policies: 150, groups: 30 } } }); });
afterAll(async () => { await sim.stop(); });

/** A sent URL as a graph-paths.json template: its version, and its path with every id segment as {id}. */
function templateOf(url: string): { version: string; template: string } {
  const u = new URL(url);
  const root = new URL(sim.settingsFor('bigco').graphRoot!).pathname;
  const [version, ...segments] = u.pathname.slice(root.length + 1).split('/').map(decodeURIComponent);
  return { version, template: segments.map((s) => (isGraphPolicyId(s) || isGraphGuid(s) ? '{id}' : s)).join('/') };
}

describe('the Graph contract', () => {
  it('the simulator and this test read the same path trees as ../shared/graph-paths.json', () => {
    if (!existsSync(SHARED)) return; // the repository alone: the copy is the reference
    expect(GRAPH_PATHS).toEqual(JSON.parse(readFileSync(SHARED, 'utf8')));
  });

  it('every template the API map declares exists for its version', () => {
    const missing = templatesUsed().filter(({ version, template }) => !TREE[version].has(template));
    expect(missing).toEqual([]);
    // beta-only categories are on beta; nothing is sent to a version without the category.
    expect(CATEGORY_API.configurationPolicies.version).toBe('beta');
    expect(CATEGORY_API.groupPolicyConfigurations.version).toBe('beta');
    for (const c of CATEGORIES) expect(TREE[CATEGORY_API[c].version].has(CATEGORY_API[c].collection)).toBe(true);
  });

  it('every URL the client sends listing, reading and writing back every policy exists for its version', async () => {
    const sent: Array<{ method: string; url: string }> = [];
    let batches = 0;
    const recording = (async (url: string | URL | Request, init?: RequestInit) => {
      const u = String(url);
      // A $batch is checked by what it carries: each sub-request's URL, relative to its version.
      const batch = /\/(v1\.0|beta)\/\$batch$/.exec(u);
      if (batch) {
        batches++;
        for (const r of (JSON.parse(String(init?.body)) as { requests: Array<{ method: string; url: string }> }).requests) sent.push({ method: r.method, url: `${u.slice(0, -'$batch'.length)}${r.url.replace(/^\//, '')}` });
      } else sent.push({ method: init?.method ?? 'GET', url: u });
      return fetch(url, init);
    }) as typeof fetch;
    const c = new GraphClient({ settings: sim.settingsFor('bigco'), secrets: new LocalSecretResolver(), appTokens: msalAppTokens, fetch: recording, sleep: async () => undefined });
    const group = sim.groups('bigco')[0].id;
    const unsupported: string[] = [];
    const seenTypes = new Set<string>();
    for (const category of CATEGORIES) {
      let link: string | null = null;
      do {
        const page = await c.listPolicies(category, link);
        for (const p of page.items) {
          const policy = await c.getPolicy(category, p.id);
          if (category === 'managedAppPolicies') seenTypes.add(String(policy.content['@odata.type']));
          const assignments = [{ target: { '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId: group } }];
          try {
            await c.writePolicy(category, p.id, { content: { ...policy.content, description: 'contract' }, assignments }, policy);
          } catch (err) {
            if (!(err instanceof GraphError && err.code === 'graph_assign_unsupported')) throw err;
            unsupported.push(String(policy.content['@odata.type']));
          }
        }
        link = page.nextLink;
      } while (link);
    }
    await c.listGroups();
    expect(await c.getOrganization()).toMatchObject({ displayName: expect.stringContaining('bigco') });
    await c.searchGroups('sales', sim.delegatedToken('bigco'));

    const graphCalls = sent.filter((s) => !s.url.includes('/oauth2/'));
    const outside = graphCalls.map((s) => ({ method: s.method, ...templateOf(s.url) })).filter(({ version, template }) => !TREE[version as GraphVersion]?.has(template));
    expect(outside).toEqual([]);
    expect(batches).toBeGreaterThan(0); // reads went through $batch too
    // Coverage: every category's list, item, assign and the relationship reads were exercised.
    const used = new Set(graphCalls.map((s) => `${templateOf(s.url).version} ${s.method} ${templateOf(s.url).template}`));
    for (const t of [
      'beta GET deviceManagement/configurationPolicies/{id}', 'beta GET deviceManagement/configurationPolicies/{id}/settings', 'beta POST deviceManagement/configurationPolicies/{id}/assign',
      'beta GET deviceManagement/groupPolicyConfigurations/{id}/definitionValues', 'beta GET deviceManagement/groupPolicyConfigurations/{id}/definitionValues/{id}/presentationValues',
      'beta POST deviceManagement/groupPolicyConfigurations/{id}/updateDefinitionValues', 'v1.0 POST deviceManagement/deviceCompliancePolicies/{id}/scheduleActionsForRules',
      'beta GET deviceAppManagement/managedAppPolicies', 'beta POST deviceAppManagement/managedAppPolicies/{id}/targetApps', 'beta POST deviceAppManagement/targetedManagedAppConfigurations/{id}/assign',
      'v1.0 POST deviceManagement/deviceEnrollmentConfigurations/{id}/assign', 'v1.0 PATCH deviceManagement/deviceConfigurations/{id}', 'v1.0 GET groups', 'v1.0 GET organization',
    ]) expect(used, t).toContain(t);
    // Every subtype the simulator generates was read from its own collection.
    for (const s of APP_SUBTYPES.filter((x) => seenTypes.has(x.odataType))) expect(used).toContain(`beta GET ${s.collection}/{id}`);
    expect(seenTypes.size).toBeGreaterThanOrEqual(5);
    // iOS/Android app protection and WIP have no assign in either tree: refused, never sent to a made-up path.
    expect(new Set(unsupported)).toEqual(new Set(APP_SUBTYPES.filter((s) => !s.assign && seenTypes.has(s.odataType)).map((s) => s.odataType)));
   }, 120_000);
});
