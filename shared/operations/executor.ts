/**
 * The executor contract: one executor per operation type does the type's work in chunks; the worker
 * (worker.ts) owns everything else — claiming, leases, checkpoints, cancel, continuation, outcome.
 *
 * An executor must be safe to re-run from any checkpoint: after a crash, the chunks since the last
 * checkpoint run again, so a chunk's domain writes are idempotent and a redone chunk reports the same
 * counts it reported the first time (the domain records remember which run last wrote them).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { GraphClient } from '../graph/client.js';
import { GraphError } from '../graph/errors.js';
import type { Run, RunFailure } from '../runs/model.js';
import { sanitizeText } from '../runs/sanitize.js';
import type { WorkerStores } from '../store/stores.js';
import { mapConcurrent } from '../concurrency.js';

export type { Stores, WorkerStores } from '../store/stores.js';

export interface ExecutionContext {
  /** the run as claimed: id, tenant, input, startedAt (stable across attempts and continuations) */
  run: Run;
  /** the tenant's Graph client (built on first use); `secretRef` tries another credential of the same app (a rotation's pending one) */
  graph: (opts?: { secretRef?: string }) => Promise<GraphClient>;
  stores: WorkerStores;
  now: () => Date;
  log: Logger;
}

/** Count changes of one chunk: `total`, `processed`, `succeeded`, `failed`, `skipped` and type-specific ones. */
export type CountDelta = Partial<Record<string, number>>;

export interface ChunkResult<C> {
  /** where the next chunk starts (stored as the run's checkpoint); ignored when done */
  cursor: C;
  done: boolean;
  counts: CountDelta;
  failures?: RunFailure[];
  /**
   * Graph asked for a wait past this invocation's budget part-way through the chunk: `counts`,
   * `failures` and `cursor` cover only the items it finished (the cursor names the ones left), and the
   * worker checkpoints them and continues later — a continuation never redoes a finished item.
   */
  deferral?: GraphError;
}

export interface OperationExecutor<C = any, T extends string = string> {
  type: T;
  /** the type-specific counts, present (as 0) from the first checkpoint on */
  countNames: readonly string[];
  /** the cursor of a run that has not started yet */
  initialCursor(run: Run): C;
  /**
   * Processes one chunk (a Graph page, a handful of items). Item errors become `failures`; a thrown
   * error stops the run (GraphError `transient` ones are retried by redelivery, the rest fail it).
   */
  processChunk(ctx: ExecutionContext, cursor: C): Promise<ChunkResult<C>>;
}

/** An item's error as a run failure: a stable code and a sanitized message. */
export function itemFailure(err: unknown, itemId: string): RunFailure {
  if (err instanceof GraphError) return { code: err.code, message: err.message, itemId };
  return { code: 'item_error', message: sanitizeText(`${itemId}: ${(err as Error)?.message ?? String(err)}`), itemId };
}

/**
 * Per-category isolation (issue 13 §4): a category that Graph will not list — 400 (a segment this
 * tenant or API version does not have), 403 (not licensed or not consented), 404 — becomes one
 * failure of that category with the stable code `graph_category_unavailable`, and the run goes on
 * with the other categories (outcome partially_succeeded). Anything else (throttling, outages) is
 * not the category's fault: null, the caller rethrows.
 */
export function categoryUnavailable(err: unknown, category: string): RunFailure | null {
  if (!(err instanceof GraphError) || !['graph_bad_request', 'graph_forbidden', 'graph_not_found'].includes(err.code)) return null;
  return { code: 'graph_category_unavailable', message: sanitizeText(`${category}: Graph would not list this category (${err.message})`), itemId: category };
}

/**
 * Graph asked for a wait longer than this invocation's budget (issue 13 §5): not an item failure —
 * the chunk stops and the worker continues the run later (the redone chunk answers as before).
 */
export function isDeferral(err: unknown): err is GraphError {
  return err instanceof GraphError && err.transient && err.deferMs !== null;
}

/**
 * Runs `handle` over `items`, `concurrency` at once, until one of them is deferred (isDeferral): no item
 * starts after that, the ones in flight finish. `handle` counts an item only once it is finished (an
 * item failure is finished too) and throws the deferral otherwise. Answers the items not finished
 * (deferred or never started), in their order, and the deferral.
 */
export async function untilDeferred<T>(items: readonly T[], concurrency: number, handle: (item: T) => Promise<void>): Promise<{ rest: T[]; deferral: GraphError | null }> {
  let deferral: GraphError | null = null;
  const finished = new Array<boolean>(items.length).fill(false);
  await mapConcurrent(items.map((item, i) => ({ item, i })), concurrency, async ({ item, i }) => {
    if (deferral) return;
    try {
      await handle(item);
      finished[i] = true;
    } catch (err) {
      if (!isDeferral(err)) throw err;
      deferral ??= err;
    }
  });
  return { rest: items.filter((_, i) => !finished[i]), deferral };
}

export const add = (delta: CountDelta, key: string, n = 1) => {
  delta[key] = (delta[key] ?? 0) + n;
};

/** What a run's items did so far (kept in a cursor, so it matches the checkpointed counts). */
export interface Tally { succeeded: number; failed: number; skipped: number }

export const addTally = (t: Tally, c: CountDelta): Tally => ({
  succeeded: t.succeeded + (c.succeeded ?? 0), failed: t.failed + (c.failed ?? 0), skipped: t.skipped + (c.skipped ?? 0),
});
