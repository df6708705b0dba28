/**
 * policy.sync (§3): fetch each policy's full content and assignments; store a new policy version only
 * when its content hash changed. All policies (one Graph list page per chunk) or the input's
 * `policyIds` (a slice per chunk).
 */
import type { GraphClient, PolicyContent } from '../graph/client.js';
import { GraphError } from '../graph/errors.js';
import { CATEGORIES, type Category } from '../runs/catalog.js';
import type { RunFailure } from '../runs/model.js';
import type { PolicyHead } from '../store/policy-store.js';
import { TransactionConflictError, VersionConflictError } from '../store/errors.js';
import { add, categoryUnavailable, isDeferral, itemFailure, mapConcurrent, type ChunkResult, type CountDelta, type ExecutionContext, type OperationExecutor } from './executor.js';
import { policyContentHash } from './fingerprint.js';
import { fetchPolicy } from '../graph/find-policy.js';
import { policySyncStart } from './policy-sync.definition.js';
import { defineModule } from './module.js';

export type PolicyCursor =
  | { mode: 'all'; category: number; nextLink: string | null }
  | { mode: 'ids'; index: number };

const IDS_PER_CHUNK = 10;

type Wanted = { id: string; category: Category | null };

const executor: OperationExecutor<PolicyCursor, 'policy.sync'> = {
  type: 'policy.sync',
  countNames: ['versioned', 'unchanged'],
  initialCursor: (run) => ((run.input as { policyIds?: string[] }).policyIds ? { mode: 'ids', index: 0 } : { mode: 'all', category: 0, nextLink: null }),

  async processChunk(ctx, cursor): Promise<ChunkResult<PolicyCursor>> {
    const graph = await ctx.graph();
    if (cursor.mode === 'ids') {
      const ids = [...new Set((ctx.run.input as { policyIds: string[] }).policyIds)];
      const slice = ids.slice(cursor.index, cursor.index + IDS_PER_CHUNK);
      const result = await syncPolicies(ctx, graph, slice.map((id) => ({ id, category: null })), false);
      const next = cursor.index + slice.length;
      return { cursor: { mode: 'ids', index: next }, done: next >= ids.length, ...result };
    }
    const category = CATEGORIES[cursor.category];
    if (!category) return { cursor, done: true, counts: {} };
    let page;
    try {
      page = await graph.listPolicies(category, cursor.nextLink);
    } catch (err) {
      const failure = categoryUnavailable(err, category);
      if (!failure) throw err;
      const counts: CountDelta = { total: 1, processed: 1, failed: 1 };
      return { cursor: { mode: 'all', category: cursor.category + 1, nextLink: null }, done: cursor.category + 1 >= CATEGORIES.length, counts, failures: [failure] };
    }
    const result = await syncPolicies(ctx, graph, page.items.map((p) => ({ id: p.id, category })), true);
    if (page.nextLink) return { cursor: { mode: 'all', category: cursor.category, nextLink: page.nextLink }, done: false, ...result };
    return { cursor: { mode: 'all', category: cursor.category + 1, nextLink: null }, done: cursor.category + 1 >= CATEGORIES.length, ...result };
  },
};

async function syncPolicies(ctx: ExecutionContext, graph: GraphClient, wanted: Wanted[], listed: boolean): Promise<{ counts: CountDelta; failures: RunFailure[] }> {
  const { run, stores } = ctx;
  const counts: CountDelta = { total: wanted.length };
  const failures: RunFailure[] = [];
  const heads = await stores.policies.getHeads(run.tenantId, wanted.map((w) => w.id));
  let deferred: unknown = null;
  // As many reads at once as fill a Graph $batch when the client batches, else a few.
  await mapConcurrent(wanted, graph.readConcurrency, async (w) => {
    if (deferred) return;
    add(counts, 'processed');
    try {
      const head = heads.get(w.id) ?? null;
      const policy = await fetchPolicy(graph, w.id, w.category ?? (head?.category as Category | undefined) ?? null);
      const change = await storeIfChanged(ctx, policy, head);
      add(counts, change);
      add(counts, 'succeeded');
    } catch (err) {
      if (isDeferral(err)) { deferred ??= err; return; }
      // Listed, then gone before we fetched it: nothing to version, nothing failed.
      if (listed && err instanceof GraphError && err.code === 'graph_not_found') return add(counts, 'skipped');
      add(counts, 'failed');
      failures.push(itemFailure(err, w.id));
    }
  });
  if (deferred) throw deferred;
  return { counts, failures };
}

/** Stores a new version when the content hash moved; re-decides if another sync versioned it first. */
async function storeIfChanged(ctx: ExecutionContext, policy: PolicyContent, head: PolicyHead | null): Promise<'versioned' | 'unchanged'> {
  const { run, stores } = ctx;
  const hash = policyContentHash(policy.content, policy.assignments);
  for (let attempt = 0; attempt < 3; attempt++) {
    // A chunk redone after a crash: this run already decided for this policy.
    if (head && head.lastSeenRunId === run.id) return head.lastChange;
    if (head && head.contentHash === hash) return 'unchanged';
    const now = ctx.now().toISOString();
    const version = (head?.latestVersion ?? 0) + 1;
    const next: PolicyHead = {
      tenantId: run.tenantId, policyId: policy.id, category: policy.category, displayName: policy.displayName,
      latestVersion: version, contentHash: hash, lastSyncedAt: now, lastSeenRunId: run.id, lastChange: 'versioned',
    };
    try {
      await stores.policies.saveVersion(next, {
        tenantId: run.tenantId, policyId: policy.id, version, category: policy.category, displayName: policy.displayName,
        content: policy.content, assignments: policy.assignments, contentHash: hash, capturedAt: now, runId: run.id,
      }, head?.latestVersion ?? null);
      return 'versioned';
    } catch (err) {
      if (!(err instanceof VersionConflictError || err instanceof TransactionConflictError)) throw err;
      head = await stores.policies.getHead(run.tenantId, policy.id);
    }
  }
  throw new VersionConflictError('policy', policy.id);
}

/** The policy.sync module: definition and start plan (policy-sync.definition.ts) and executor. */
export const policySync = defineModule(policySyncStart, executor);
