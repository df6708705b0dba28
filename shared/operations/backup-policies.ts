/**
 * Backing policies up into a set — shared by backup_set.add_policies, backup_schedule.run_now and
 * backup_schedule.retry. One policy: fetch its current content from Graph, store it as an item.
 */
import type { GraphClient, PolicyContent } from '../graph/client.js';
import { GraphError } from '../graph/errors.js';
import { CATEGORIES, type Category } from '../runs/catalog.js';
import type { RunFailure } from '../runs/model.js';
import { type BackupItem } from '../store/backup-store.js';
import { add, isDeferral, itemFailure, untilDeferred, type CountDelta, type ExecutionContext } from './executor.js';
import { policyContentHash } from './fingerprint.js';
import { fetchPolicy } from '../graph/find-policy.js';
import { createHash } from 'node:crypto';


export interface PolicyRef {
  id: string;
  /** null: unknown — the policy store's category, else the first category Graph finds it in */
  category: Category | null;
}

export interface BackupBatchResult {
  counts: CountDelta;
  failures: RunFailure[];
  /** `<category>/<policyId>` of each failed item (the schedule history keeps them all for retry) */
  failedItems: string[];
}

export const backupStore = (ctx: ExecutionContext) => ctx.stores.backups;

/**
 * Backs `refs` up into `setId`. A policy already in the set is `skipped` — unless this run put it
 * there (a chunk redone after a crash), which counts as `created` again, exactly as the first time.
 */
export async function backUpPolicies(ctx: ExecutionContext, graph: GraphClient, setId: string, refs: PolicyRef[]): Promise<BackupBatchResult> {
  const { run } = ctx;
  const store = backupStore(ctx);
  const counts: CountDelta = { total: refs.length };
  const failures: RunFailure[] = [];
  const failedItems: string[] = [];
  const ours: string[] = [];
  const existing = await store.getItems(run.tenantId, setId, refs.map((r) => r.id));
  const unknown = refs.filter((r) => !r.category && !existing.has(r.id)).map((r) => r.id);
  const heads = unknown.length ? await ctx.stores.policies.getHeads(run.tenantId, unknown) : new Map();
  // As many lanes as fill a Graph $batch when the client batches (the reads share round trips), else a few.
  const { deferral } = await untilDeferred(refs, graph.readConcurrency, async (ref) => {
    add(counts, 'processed');
    const already = existing.get(ref.id);
    if (already) return countStored(counts, already.runId === run.id);
    const category = ref.category ?? (heads.get(ref.id)?.category as Category | undefined) ?? null;
    try {
      const policy = await fetchPolicy(graph, ref.id, category);
      const item: BackupItem = {
        id: policy.id, tenantId: run.tenantId, backupSetId: setId, policyId: policy.id, category: policy.category, displayName: policy.displayName,
        content: policy.content, assignments: policy.assignments, contentHash: policyContentHash(policy.content, policy.assignments),
        capturedAt: ctx.now().toISOString(), runId: run.id,
      };
      // false: someone else (a concurrent add to this set) stored it between our read and our write.
      const stored = await store.putItem(item);
      if (stored) ours.push(ref.id);
      countStored(counts, stored);
    } catch (err) {
      // A wait past this invocation's budget: nothing failed; the chunk is redone in a continuation,
      // which finds the items stored here (by this run) and counts them without asking Graph again.
      if (isDeferral(err)) throw err;
      // Throttling the client could not wait out (retries exhausted) fails the item: a retry run re-attempts exactly these.
      add(counts, 'failed');
      failures.push(itemFailure(err, ref.id));
      failedItems.push(`${category ?? 'unknown'}/${ref.id}`);
    }
  });
  // Deferred before counting: the redone chunk counts what this run stored here (these items included) once.
  if (deferral) throw deferral;
  // The set's itemCount moves once per chunk, by the items this run put there (a redone chunk's
  // earlier items included), keyed so a redo after a crash never counts twice.
  const chunkKey = `${run.id}:${createHash('sha256').update(refs.map((r) => r.id).sort().join('\n')).digest('base64url').slice(0, 16)}`;
  const mine = refs.filter((r) => existing.get(r.id)?.runId === run.id).length + ours.length;
  if (mine > 0 && (await store.countChunk(run.tenantId, setId, chunkKey, mine)) === 'no_set') {
    // The set was pruned while we worked: what we stored there is unreachable, take it back and fail it.
    await Promise.all(ours.map((id) => store.deleteItem(run.tenantId, setId, id)));
    for (const id of ours) {
      counts.succeeded = (counts.succeeded ?? 0) - 1;
      counts.created = (counts.created ?? 0) - 1;
      add(counts, 'failed');
      failures.push({ code: 'backup_set_missing', message: 'the backup set was deleted while the policy was being backed up', itemId: id });
      failedItems.push(`unknown/${id}`);
    }
  }
  return { counts, failures, failedItems };
}

function countStored(counts: CountDelta, ours: boolean) {
  if (ours) {
    add(counts, 'succeeded');
    add(counts, 'created');
  } else {
    add(counts, 'skipped');
  }
}

/** Parses a `<category>/<policyId>` failed-item entry (`<category>/*`: listing that category failed). */
export function parseFailedItem(entry: string): { category: Category | null; id: string } {
  const slash = entry.indexOf('/');
  const category = entry.slice(0, slash);
  return { category: (CATEGORIES as readonly string[]).includes(category) ? (category as Category) : null, id: entry.slice(slash + 1) };
}
