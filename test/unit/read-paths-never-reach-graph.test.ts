/**
 * Read paths (monitoring, lists, details) touch DynamoDB only, never Graph (§1.4): bundle each read
 * handler exactly as Lambda would and prove its import graph holds no Graph client module.
 * The one read that calls Graph, the delegated RBAC group search, is the control: it must reach it.
 */
import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { routes } from '../../shared/wiring.js';

const GRAPH_SEARCH = '/tenants/{tenantId}/directory/group-search';
const reads = routes.filter((r) => r.method === 'GET' && r.path !== GRAPH_SEARCH && existsSync(r.entry));

async function importGraph(entry: string): Promise<string[]> {
  const out = await build({ entryPoints: [entry], bundle: true, write: false, platform: 'node', format: 'esm', metafile: true, logLevel: 'silent', packages: 'external' });
  return Object.keys(out.metafile!.inputs);
}

describe('read handlers never reach the Graph client', () => {
  it.each(reads.map((r) => [`${r.method} ${r.path}`, r.entry] as const))('%s', async (_name, entry) => {
    const inputs = await importGraph(entry);
    expect(inputs.length).toBeGreaterThan(1);
    expect(inputs.filter((p) => p.startsWith('shared/graph/') || p.includes('graph-sim'))).toEqual([]);
  });

  it('the rule can fail: the delegated group search does reach the Graph client', async () => {
    const search = routes.find((r) => r.path === GRAPH_SEARCH)!;
    if (!existsSync(search.entry)) return expect(existsSync('shared/graph/client.ts')).toBe(true);
    const inputs = await importGraph(search.entry);
    expect(inputs.some((p) => p.startsWith('shared/graph/'))).toBe(true);
  });
});
