/**
 * The reaper (§8): completes as `failed` every run queued for longer than 15 min without a claim
 * (`dispatch_lost`) and every running run whose lease expired more than 15 min ago (`worker_lost`),
 * releasing their keys — so nothing holds an active run key forever. Reads only the sparse byActive
 * index, every one of its ACTIVE_SHARDS shards per status; the lease is filtered, not keyed.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Run } from '../runs/model.js';
import type { RunService } from '../runs/service.js';
import type { ActiveRunRef, RunStore } from '../store/run-store.js';
import { ACTIVE_SHARDS } from '../store/keys.js';
import { metrics, MetricNames } from '../observability/metrics.js';

export const REAPER_GRACE_MS = 15 * 60_000;

export interface ReaperDeps {
  service: RunService;
  store: RunStore;
  logger: Logger;
  clock?: () => Date;
}

export interface ReapResult {
  dispatchLost: string[];
  workerLost: string[];
}

export async function reapLostRuns(deps: ReaperDeps, graceMs = REAPER_GRACE_MS): Promise<ReapResult> {
  const now = (deps.clock ?? (() => new Date()))();
  const before = new Date(now.getTime() - graceMs).toISOString();
  const olderThanGrace = (iso: string | null) => iso !== null && iso < before;
  const dispatchLost = await reap(deps, 'queued', before, (r) => r.status === 'queued' && olderThanGrace(r.createdAt),
    'dispatch_lost', 'the run stayed queued for over 15 minutes without a worker claiming it');
  const workerLost = await reap(deps, 'running', before, (r) => r.status === 'running' && olderThanGrace(r.leaseExpiresAt),
    'worker_lost', 'the worker stopped renewing its lease over 15 minutes ago');
  if (dispatchLost.length || workerLost.length) {
    deps.logger.warn('reaped lost runs', { dispatchLost, workerLost });
    metrics.count(MetricNames.runsReaped, {}, dispatchLost.length + workerLost.length);
  }
  return { dispatchLost, workerLost };
}

async function reap(deps: ReaperDeps, status: 'queued' | 'running', before: string, stillLost: (r: Run) => boolean, code: 'dispatch_lost' | 'worker_lost', message: string) {
  const reaped: string[] = [];
  for (let shard = 0; shard < ACTIVE_SHARDS; shard++) {
    reaped.push(...(await reapShard(deps, status, shard, before, stillLost, code, message)));
  }
  return reaped;
}

async function reapShard(deps: ReaperDeps, status: 'queued' | 'running', shard: number, before: string, stillLost: (r: Run) => boolean, code: 'dispatch_lost' | 'worker_lost', message: string) {
  const reaped: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await withRetries(() => deps.store.listActive(status, shard, before, 100, cursor));
    for (const run of page.items as ActiveRunRef[]) {
      try {
        // The guard re-checks on the fresh run: a claim or lease renewal since the query wins.
        const failed = await withRetries(() => deps.service.failRun(run.tenantId, run.id, code, message, stillLost));
        if (failed) reaped.push(run.id);
      } catch (err) {
        // One run that cannot be reaped now must not stop the pass: the next pass tries it again.
        deps.logger.error('could not reap a lost run; the next pass retries it', { runId: run.id, tenantId: run.tenantId, error: err as Error });
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return reaped;
}

/** A pass reads every active run across tenants: a transient error on one call should not waste it. */
async function withRetries<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 50 * 2 ** i));
    }
  }
}
