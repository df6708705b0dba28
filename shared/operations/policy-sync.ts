/**
 * policy.sync (§3): fetch each policy's full content and assignments; store a new policy version only
 * when its content hash changed. All policies (one Graph list page per chunk) or the input's
 * `policyIds` (a slice per chunk). A chunk that Graph stops part-way keeps what it finished (`rest`).
 */
import type { GraphClient, PolicyContent } from '../graph/client.js';
import { GraphError } from '../graph/errors.js';
import { CATEGORIES, type Category } from '../runs/catalog.js';
import type { RunFailure } from '../runs/model.js';
import type { PolicyHead } from '../store/policy-store.js';
import { TransactionConflictError, VersionConflictError } from '../store/errors.js';
import { add, categoryUnavailable, isDeferral, itemFailure, untilDeferred, type ChunkResult, type CountDelta, type ExecutionContext, type OperationExecutor } from './executor.js';
import { policyContentHash } from './fingerprint.js';
import { fetchPolicy } from '../graph/find-policy.js';
import { policySyncStart } from './policy-sync.definition.js';
import { defineModule } from './module.js';

/**
 * `rest`: the page or slice a chunk stopped part-way through (Graph asked for a wait past the
 * invocation's budget) — the policies it did not finish, and for a listed page the link of the page
 * after it. The next chunk handles only those (without listing the page again), then goes on as the
 * stopped chunk would have. At most one Graph page (or IDS_PER_CHUNK ids) of ids, written only at the
 * checkpoint the continuation makes anyway.
 */
export type PolicyCursor =
  | { mode: 'all'; category: number; nextLink: string | null; rest?: { ids: string[]; nextLink: string | null } }
  | { mode: 'ids'; index: number; rest?: string[] };

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
      const end = Math.min(cursor.index + IDS_PER_CHUNK, ids.length);
      const todo = cursor.rest ?? ids.slice(cursor.index, end);
      const { rest, deferral, ...result } = await syncPolicies(ctx, graph, todo.map((id) => ({ id, category: null })), false);
      if (deferral) return { cursor: { mode: 'ids', index: cursor.index, rest: rest.map((w) => w.id) }, done: false, deferral, ...result };
      return { cursor: { mode: 'ids', index: end }, done: end >= ids.length, ...result };
    }
    const category = CATEGORIES[cursor.category];
    if (!category) return { cursor, done: true, counts: {} };
    let page = cursor.rest;
    if (!page) {
      try {
        const listed = await graph.listPolicies(category, cursor.nextLink);
        page = { ids: listed.items.map((p) => p.id), nextLink: listed.nextLink };
      } catch (err) {
        const failure = categoryUnavailable(err, category);
        if (!failure) throw err;
        const counts: CountDelta = { total: 1, processed: 1, failed: 1 };
        return { cursor: { mode: 'all', category: cursor.category + 1, nextLink: null }, done: cursor.category + 1 >= CATEGORIES.length, counts, failures: [failure] };
      }
    }
    const { rest, deferral, ...result } = await syncPolicies(ctx, graph, page.ids.map((id) => ({ id, category })), true);
    if (deferral) return { cursor: { mode: 'all', category: cursor.category, nextLink: cursor.nextLink, rest: { ids: rest.map((w) => w.id), nextLink: page.nextLink } }, done: false, deferral, ...result };
    if (page.nextLink) return { cursor: { mode: 'all', category: cursor.category, nextLink: page.nextLink }, done: false, ...result };
    return { cursor: { mode: 'all', category: cursor.category + 1, nextLink: null }, done: cursor.category + 1 >= CATEGORIES.length, ...result };
  },
};

/**
 * Syncs `wanted`; each policy is counted once it is finished. When Graph defers one, the policies not
 * finished come back as `rest` (counted by the chunk that finishes them), with the deferral.
 */
async function syncPolicies(ctx: ExecutionContext, graph: GraphClient, wanted: Wanted[], listed: boolean) {
  const { run, stores } = ctx;
  const counts: CountDelta = {};
  const failures: RunFailure[] = [];
  const heads = await stores.policies.getHeads(run.tenantId, wanted.map((w) => w.id));
  const finish = (...names: string[]) => ['total', 'processed', ...names].forEach((n) => add(counts, n));
  // As many reads at once as fill a Graph $batch when the client batches, else a few.
  const { rest, deferral } = await untilDeferred(wanted, graph.readConcurrency, async (w) => {
    try {
      const head = heads.get(w.id) ?? null;
      const policy = await fetchPolicy(graph, w.id, w.category ?? (head?.category as Category | undefined) ?? null);
      finish(await storeIfChanged(ctx, policy, head), 'succeeded');
    } catch (err) {
      if (isDeferral(err)) throw err;
      // Listed, then gone before we fetched it: nothing to version, nothing failed.
      if (listed && err instanceof GraphError && err.code === 'graph_not_found') return finish('skipped');
      finish('failed');
      failures.push(itemFailure(err, w.id));
    }
  });
  return { counts, failures, rest, deferral: deferral ?? undefined };
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
