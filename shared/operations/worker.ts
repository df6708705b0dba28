/**
 * The run worker (§8): claims a run, drives its type's executor chunk by chunk, and keeps the run's
 * bookkeeping at checkpoints — never per item. Lambda entry: functions/workers/run-worker.ts.
 *
 *   claim ─▶ chunk ─▶ chunk ─▶ checkpoint (≥100 items or ≥2 s: counts, cursor, failures, lease)
 *             ▲                   │  cancelRequested → complete as cancelled
 *             └───────────────────┘  attempt changed  → lease lost, stop writing
 *   time short → checkpoint with the lease released + continuation message
 *   Graph wait beyond the budget → checkpoint, lease released, delayed continuation (the message succeeds);
 *     a chunk stopped part-way reports what it finished (ChunkResult.deferral), and that checkpoint keeps it
 *   transient Graph error after all retries → checkpoint, lease released, message fails → redelivery resumes
 *   other error → complete as failed;   all chunks done → complete (outcome from counts)
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { GraphClient } from '../graph/client.js';
import { GraphError } from '../graph/errors.js';
import type { GraphClientFor } from '../graph/tenant-clients.js';
import { RunNotFoundError } from '../runs/errors.js';
import type { RunEvent } from '../runs/lifecycle.js';
import { emptyCounts, type Run, type RunFailure, type SummaryCounts } from '../runs/model.js';
import type { WorkMessage, WorkQueue } from '../runs/ports.js';
import { sanitizeText } from '../runs/sanitize.js';
import { claimRun, type RunService } from '../runs/service.js';
import type { WorkerStores, ExecutionContext, OperationExecutor } from './executor.js';
import type { ExecutorRegistry } from './index.js';
import { WORKER_LEASE_MS } from '../settings.js';

export interface WorkerSettings {
  /** how long a claim or checkpoint holds the run: derived from the worker timeout (shared/settings.ts) */
  leaseMs: number;
  checkpointEveryItems: number;
  checkpointEveryMs: number;
  /** continue in a new invocation when less than this much Lambda time is left */
  reserveMs: number;
  /**
   * Graph calls of a chunk get the invocation's remaining time minus this (issue 13 §5): retries and
   * Retry-After waits never run into the Lambda timeout, and the checkpoint + continuation still fit.
   */
  graphReserveMs: number;
  /** the longest delay of a continuation that waits out Graph's Retry-After (SQS DelaySeconds is at most 900) */
  maxDeferSeconds: number;
  /** deferred continuations a run may take before a transient error fails its message as before */
  maxDeferrals: number;
}

export const DEFAULT_WORKER_SETTINGS: WorkerSettings = {
  leaseMs: WORKER_LEASE_MS,
  checkpointEveryItems: 100,
  checkpointEveryMs: 2_000,
  reserveMs: 20_000,
  graphReserveMs: 10_000,
  // SendMessage DelaySeconds: "Valid values: 0 to 900" (Amazon SQS API Reference, SendMessage).
  maxDeferSeconds: 900,
  maxDeferrals: 500,
};

export interface WorkerDeps {
  service: RunService;
  queue: WorkQueue;
  executors: ExecutorRegistry;
  graphFor: GraphClientFor;
  stores: WorkerStores;
  logger: Logger;
  clock?: () => Date;
  settings?: Partial<WorkerSettings>;
  /** test hook: called after every committed checkpoint (e.g. to simulate a crash right after one) */
  afterCheckpoint?: (run: Run) => void | Promise<void>;
}

export type WorkResult = 'completed' | 'cancelled' | 'continued' | 'ignored' | 'lease_lost';

/** The message must be retried later (SQS redelivers it): a live lease, or Graph is throttling/unavailable. */
export class RetryLaterError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(sanitizeText(message), options);
    this.name = 'RetryLaterError';
  }
}

export async function processWorkMessage(message: WorkMessage, remainingMs: () => number, deps: WorkerDeps): Promise<WorkResult> {
  const settings = { ...DEFAULT_WORKER_SETTINGS, ...deps.settings };
  const clock = deps.clock ?? (() => new Date());
  const log = deps.logger.createChild();
  log.appendKeys({ runId: message.runId, tenantId: message.tenantId, operationType: message.type, continuation: message.continuation ?? 0 });

  let run: Run | null;
  try {
    run = await claimRun(deps.service, message.tenantId, message.runId, settings.leaseMs, clock);
  } catch (err) {
    if (err instanceof RunNotFoundError) {
      log.warn('work message for an unknown or expired run; dropped');
      return 'ignored';
    }
    throw err; // LeaseHeldError: a live worker has it; redelivery tries again after the visibility timeout
  }
  if (!run) {
    log.info('run already completed; duplicate delivery acknowledged');
    return 'ignored';
  }
  log.appendKeys({ attempt: run.attempt });
  const executor = deps.executors[run.type as keyof ExecutorRegistry];
  if (!executor) {
    await finish(deps, run, { type: 'complete', outcome: 'failed', newFailures: [{ code: 'unsupported_operation', message: `no worker for operation type ${run.type}` }] });
    log.error('no executor for this operation type');
    return 'completed';
  }
  return new RunDriver(run, executor, deps, settings, clock, remainingMs, message, log).drive();
}

class RunDriver {
  private counts: SummaryCounts;
  private cursor: unknown;
  private pending: RunFailure[] = [];
  private itemsSinceCheckpoint = 0;
  private lastCheckpointAt: number;
  private readonly attempt: number;
  private readonly ctx: ExecutionContext;

  constructor(
    private current: Run,
    private readonly executor: OperationExecutor,
    private readonly deps: WorkerDeps,
    private readonly settings: WorkerSettings,
    private readonly clock: () => Date,
    private readonly remainingMs: () => number,
    private readonly message: WorkMessage,
    private readonly log: Logger,
  ) {
    const zeros = Object.fromEntries(executor.countNames.map((c) => [c, 0]));
    // Resuming: counts and cursor come from the last checkpoint, so nothing before it is redone or recounted.
    this.counts = { ...emptyCounts(), ...zeros, ...current.summaryCounts };
    this.cursor = current.checkpoint ?? executor.initialCursor(current);
    this.attempt = current.attempt;
    this.lastCheckpointAt = clock().getTime();
    let graph: ReturnType<WorkerDeps['graphFor']> | undefined;
    this.ctx = {
      run: current,
      // Every Graph call of this invocation takes its retry and Retry-After budget from the time left.
      graph: (opts) => {
        const budgeted = (c: GraphClient) => c.withBudget(() => this.remainingMs() - this.settings.graphReserveMs);
        if (opts?.secretRef) return deps.graphFor(current.tenantId, opts).then(budgeted);
        return (graph ??= deps.graphFor(current.tenantId).then(budgeted));
      },
      stores: deps.stores,
      now: clock,
      log,
    };
  }

  async drive(): Promise<WorkResult> {
    this.log.info(this.current.checkpoint ? 'resuming run from its checkpoint' : 'starting run');
    for (;;) {
      if (this.current.cancelRequested) return this.complete();
      if (this.remainingMs() < this.settings.reserveMs) return this.continueLater();
      let chunk;
      try {
        chunk = await this.executor.processChunk(this.ctx, this.cursor);
      } catch (err) {
        return this.stopOnError(err);
      }
      this.merge(chunk.counts, chunk.failures ?? []);
      this.cursor = chunk.cursor;
      // Stopped part-way by Graph: what it finished is checkpointed with the continuation, not redone.
      if (chunk.deferral) return this.stopOnError(chunk.deferral);
      if (chunk.done) return this.complete();
      if (this.checkpointDue()) {
        const result = await this.checkpoint(this.settings.leaseMs);
        if (result) return result;
      }
    }
  }

  private merge(delta: Partial<Record<string, number>>, failures: RunFailure[]) {
    for (const [k, v] of Object.entries(delta)) this.counts[k] = (this.counts[k] ?? 0) + (v ?? 0);
    this.itemsSinceCheckpoint += delta.processed ?? 0;
    // The item id is untrusted text too (an executor may use a Graph name or id): it is stored with the failure.
    this.pending.push(...failures.map((f) => ({ ...f, message: sanitizeText(f.message), ...(f.itemId !== undefined ? { itemId: sanitizeText(f.itemId) } : {}) })));
  }

  private checkpointDue(): boolean {
    return this.itemsSinceCheckpoint >= this.settings.checkpointEveryItems || this.clock().getTime() - this.lastCheckpointAt >= this.settings.checkpointEveryMs;
  }

  /** One run write: counts, cursor, new failures, renewed lease — or the cancel, when one was requested. */
  private async checkpoint(leaseMs: number): Promise<WorkResult | null> {
    const counts = { ...this.counts };
    const newFailures = this.pending;
    const next = await this.deps.service.apply(
      this.current.tenantId,
      this.current.id,
      (fresh): RunEvent => (fresh.cancelRequested
        ? { type: 'complete', outcome: 'cancelled', counts, newFailures }
        : { type: 'checkpoint', leaseMs, counts, newFailures, cursor: this.cursor }),
      { current: this.current, guard: (fresh) => this.stillOurs(fresh) },
    );
    if (!next) return this.leaseLost();
    this.current = next;
    this.pending = [];
    this.itemsSinceCheckpoint = 0;
    this.lastCheckpointAt = this.clock().getTime();
    if (next.status === 'completed') {
      this.log.info('cancel honoured at a checkpoint', { counts });
      return 'cancelled';
    }
    await this.deps.afterCheckpoint?.(next);
    return null;
  }

  private async complete(): Promise<WorkResult> {
    const next = await finish(this.deps, this.current, { type: 'complete', counts: { ...this.counts }, newFailures: this.pending }, (fresh) => this.stillOurs(fresh));
    if (!next) return this.leaseLost();
    this.log.info('run completed', { outcome: next.outcome, counts: next.summaryCounts, failureCount: next.failureCount });
    return next.outcome === 'cancelled' ? 'cancelled' : 'completed';
  }

  /**
   * Out of Lambda time, or Graph asked for a longer wait than this invocation has: save where we are,
   * release the lease and continue in a new message (delayed by Graph's wait). This message succeeds,
   * so a throttled run never counts receives toward the DLQ and never holds up other messages.
   */
  private async continueLater(waitMs = 0, cause?: GraphError): Promise<WorkResult> {
    const result = await this.checkpoint(0);
    if (result) return result;
    const continuation = (this.message.continuation ?? 0) + 1;
    const delaySeconds = Math.min(this.settings.maxDeferSeconds, Math.ceil(waitMs / 1000));
    // If this send fails the message fails too; its redelivery takes over the released lease.
    await this.deps.queue.send({ runId: this.current.id, tenantId: this.current.tenantId, type: this.current.type, continuation }, delaySeconds > 0 ? { delaySeconds } : undefined);
    if (cause) this.log.warn('Graph asked for a longer wait than this invocation has; delayed continuation enqueued', { continuation, delaySeconds, error: cause });
    else this.log.info('remaining time short; continuation enqueued', { continuation, counts: this.counts });
    return 'continued';
  }

  private async stopOnError(err: unknown): Promise<WorkResult> {
    if (err instanceof GraphError && err.transient && err.deferMs !== null && (this.message.continuation ?? 0) < this.settings.maxDeferrals) {
      return this.continueLater(err.deferMs, err);
    }
    if (err instanceof GraphError && err.transient) {
      // Keep the progress, release the lease, and let SQS redeliver (after maxReceiveCount: DLQ → failed).
      const result = await this.checkpoint(0);
      if (result) return result;
      this.log.warn('Graph kept throttling or was unavailable; the message will be retried', { error: err });
      throw new RetryLaterError(`run ${this.current.id}: ${err.message}`, { cause: err });
    }
    const failure: RunFailure = err instanceof GraphError
      ? { code: err.code, message: err.message }
      : { code: 'worker_error', message: sanitizeText(`the worker stopped: ${(err as Error)?.message ?? String(err)}`) };
    this.log.error('fatal error; run failed', { error: err as Error });
    const next = await finish(this.deps, this.current, { type: 'complete', outcome: 'failed', counts: { ...this.counts }, newFailures: [...this.pending, failure] }, (fresh) => this.stillOurs(fresh));
    return next ? 'completed' : this.leaseLost();
  }

  /** Ours while it is running under our attempt; a takeover (attempt + 1) or completion means we lost it. */
  private stillOurs(fresh: Run): boolean {
    return fresh.status === 'running' && fresh.attempt === this.attempt;
  }

  private leaseLost(): WorkResult {
    this.log.warn('lease lost to another attempt (or the run was completed elsewhere); stopping');
    return 'lease_lost';
  }
}

function finish(deps: WorkerDeps, run: Run, event: RunEvent, guard?: (fresh: Run) => boolean): Promise<Run | null> {
  return deps.service.apply(run.tenantId, run.id, event, { current: run, guard });
}
