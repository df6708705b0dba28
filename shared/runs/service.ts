/**
 * The run service: the canonical flow every operation starts through (SPEC §1, §4, §8).
 * It composes the pure lifecycle with the store and the queue; it holds no DynamoDB or SQS details.
 */
import { ulid } from 'ulid';
import { identityHash } from './identity.js';
import { transition, type FailCode, type RunEvent } from './lifecycle.js';
import { emptyCounts, type Initiator, type Run, type Surface } from './model.js';
import { sanitizeText } from './sanitize.js';
import { ActiveRunExistsError, DispatchFailedError, RunNotFoundError } from './errors.js';
import { companionName, isConflict, type CompanionPut, type CompanionWrite, type RunRepository, type StartCompanion, type WorkQueue } from './ports.js';
import { DomainError } from '../errors.js';
import { settings, type DispatchMode } from '../settings.js';

export { DEFAULT_RETENTION_DAYS } from '../settings.js';
export const retentionDays = () => settings().runRetentionDays;

/**
 * What the core needs to know of an operation type (the operation catalog provides it; the core
 * does not import the catalog, so it never loads the operation modules).
 */
export interface RunTypeInfo {
  label: string;
  /** the part of a validated input that makes a run distinct (the active run key) */
  identity: (input: any) => unknown;
  /**
   * The type's projection (issue 14): given the run after a transition that changed its status
   * (claimed → running; completed, whichever path completed it), the updates of the type's domain
   * rows. They commit in the SAME transaction as that run write, so a run and its records never
   * disagree. Pure and bounded (a few items: TransactWriteItems takes at most 100).
   */
  project?: (run: Run) => CompanionWrite[];
}
export type RunTypeCatalog = Readonly<Record<string, RunTypeInfo>>;

export interface StartRunRequest {
  tenantId: string;
  /** an operation type of the service's catalog */
  type: string;
  /** already validated against the type's schema */
  input: Record<string, unknown>;
  initiator: Initiator;
  surface: Surface;
  /** the run's initial context (pointers to domain records) */
  context?: Record<string, unknown>;
  /** domain records that must commit in the same transaction as the run (restore, schedule run), and checks of the records it refers to */
  companions?: (run: Run) => StartCompanion[];
  /** a pre-chosen run id (when a companion record must point at it) */
  runId?: string;
}

export interface StartRunResult {
  run: Run;
  deduplicated: boolean;
}

export interface RunServiceDeps {
  store: RunRepository;
  queue: WorkQueue;
  /** the operation types this service starts runs of (label, identity) */
  catalog: RunTypeCatalog;
  clock?: () => Date;
  /** overrides settings().dispatchMode (tests, the bench) */
  dispatchMode?: DispatchMode;
}

export class RunService {
  readonly store: RunRepository;
  private readonly queue: WorkQueue;
  private readonly clock: () => Date;
  private readonly catalog: RunTypeCatalog;
  private readonly dispatchMode: DispatchMode | undefined;

  constructor(deps: RunServiceDeps) {
    this.dispatchMode = deps.dispatchMode;
    this.store = deps.store;
    this.queue = deps.queue;
    this.catalog = deps.catalog;
    this.clock = deps.clock ?? (() => new Date());
  }

  newRun(req: StartRunRequest, now = this.clock()): Run {
    const def = Object.prototype.hasOwnProperty.call(this.catalog, req.type) ? this.catalog[req.type] : undefined;
    if (!def) throw new Error(`unknown operation type ${req.type}`);
    const createdAt = now.toISOString();
    return {
      id: req.runId ?? ulid(now.getTime()),
      tenantId: req.tenantId,
      type: req.type,
      label: def.label,
      status: 'queued',
      outcome: 'pending',
      // Stored AS IS (issue 15, item 3): the type's schema validated every id by its format and every
      // name as text, and the worker executes from this stored input — a sanitizer that mistook an id
      // for a secret would make it ask Graph for `[REDACTED]`. Only free text (the initiator's name,
      // failure messages, log lines, event details) passes the sanitizer.
      input: req.input,
      identityHash: identityHash(def.identity(req.input)),
      // The name is a snapshot of a token claim: untrusted text, stored and answered like the input.
      initiator: { userId: req.initiator.userId, name: sanitizeText(req.initiator.name) },
      surface: req.surface,
      summaryCounts: emptyCounts(),
      failures: [],
      failureCount: 0,
      context: req.context ?? {},
      attempt: 0,
      cancelRequested: false,
      createdAt,
      startedAt: null,
      completedAt: null,
      durationMs: null,
      queueWaitMs: null,
      expiresAt: new Date(now.getTime() + retentionDays() * 86_400_000).toISOString(),
      leaseExpiresAt: null,
      checkpoint: null,
      version: 1,
    };
  }

  /**
   * Starts a run: one transaction (run + active key), one enqueue. When the key is held, answers
   * the holder with `deduplicated: true` (one extra read, for the run itself). When the enqueue
   * fails, completes the run as failed/dispatch_failed and releases the key, then throws
   * DispatchFailedError carrying that run.
   *
   * In `outbox` dispatch mode the start is the transaction alone: the table stream's consumer
   * enqueues the newly inserted queued run (shared/events/outbox-relay.ts), so no send is tried
   * here and a start never fails for the queue's sake.
   */
  async startRun(req: StartRunRequest): Promise<StartRunResult> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const run = this.newRun(req);
      try {
        await this.store.createRun(run, req.companions?.(run) ?? []);
      } catch (err) {
        if (isConflict(err, 'transaction_conflict')) {
          // The table client already retried the cancellation with backoff. Lasting contention on a
          // start is nearly always N identical starts writing one active run key (SC-003): read who
          // holds it and answer that run, as a condition failure on the key would have. Nobody holds
          // it: the contention was elsewhere (the quota counter) — the caller gets 503 Retry-After.
          const holderId = await this.store.activeKeyHolder(run.tenantId, run.type, run.identityHash);
          const holder = holderId ? await this.store.getRun(run.tenantId, holderId) : null;
          if (holder && holder.status !== 'completed') return { run: holder, deduplicated: true };
          throw err;
        }
        if (!(err instanceof ActiveRunExistsError)) throw err;
        const holder = await this.store.getRun(req.tenantId, err.existingRunId);
        // The holder completed (and released the key) between our write and this read: try again.
        if (!holder || holder.status === 'completed') continue;
        return { run: holder, deduplicated: true };
      }
      if ((this.dispatchMode ?? settings().dispatchMode) === 'outbox') return { run, deduplicated: false };
      try {
        await this.queue.send({ runId: run.id, tenantId: run.tenantId, type: run.type });
      } catch (cause) {
        const failed = await this.failUndispatched(run.tenantId, run.id, run);
        if (!failed) return { run: (await this.store.getRun(run.tenantId, run.id)) ?? run, deduplicated: false };
        throw new DispatchFailedError(failed, cause);
      }
      return { run, deduplicated: false };
    }
    throw new Error('the active run key kept changing hands; try again');
  }

  /**
   * Completes a run that could not be enqueued as failed/dispatch_failed (§5), releasing its key —
   * only while it is still unclaimed: SQS may report a send as failed that it in fact accepted, and
   * then a worker may already have claimed the run, which is fine. Answers null when it was not
   * (claimed, completed, or gone). Used by the direct start and by the outbox relay.
   */
  async failUndispatched(tenantId: string, runId: string, current?: Run): Promise<Run | null> {
    try {
      return await this.apply(tenantId, runId, { type: 'fail', code: 'dispatch_failed', message: 'the run could not be enqueued for a worker' }, {
        current,
        guard: (fresh) => fresh.status === 'queued' && fresh.attempt === 0,
      });
    } catch (err) {
      if (err instanceof RunNotFoundError) return null;
      throw err;
    }
  }

  async getRun(tenantId: string, runId: string): Promise<Run> {
    const run = await this.store.getRun(tenantId, runId);
    if (!run) throw new RunNotFoundError(tenantId, runId);
    return run;
  }

  /**
   * Applies a lifecycle event to the stored run, re-reading and re-applying when a concurrent
   * writer got there first (optimistic concurrency on `version`).
   * `guard` may refuse to go on (returns false) after seeing the fresh run.
   */
  async apply(
    tenantId: string,
    runId: string,
    event: RunEvent | ((run: Run) => RunEvent),
    opts: { guard?: (run: Run) => boolean; companions?: (next: Run) => CompanionPut[]; current?: Run } = {},
  ): Promise<Run | null> {
    let current: Run | null = opts.current ?? (await this.store.getRun(tenantId, runId));
    // Projected rows whose condition failed (the row is gone, e.g. a pruned set): the run still moves on.
    const missingRows = new Set<string>();
    for (let attempt = 0; attempt < 8; attempt++) {
      if (!current) throw new RunNotFoundError(tenantId, runId);
      if (opts.guard && !opts.guard(current)) return null;
      const next = transition(current, typeof event === 'function' ? event(current) : event, this.clock());
      const projected = this.projection(current, next).filter((c) => !missingRows.has(companionName(c)));
      try {
        await this.store.saveTransition(current, next, [...(opts.companions?.(next) ?? []), ...projected]);
        return next;
      } catch (err) {
        const row = err instanceof DomainError && err.code === 'companion_conflict' ? (err as DomainError & { item?: string }).item : undefined;
        if (row !== undefined && projected.some((c) => companionName(c) === row)) {
          missingRows.add(row);
          continue;
        }
        // Another writer got there first: re-read, re-apply. (A TransactionConflict cancellation is
        // retried by the table client itself, with jittered backoff; past its attempts it surfaces
        // here as transaction_conflict and goes to the caller — 503 Retry-After over HTTP, a
        // redelivery for a worker — instead of multiplying retries in a second layer.)
        if (!isConflict(err, 'version_conflict')) throw err;
        current = await this.store.getRun(tenantId, runId);
      }
    }
    throw new Error(`run ${runId} kept changing; gave up applying the event`);
  }

  /** The updates of the run's domain rows when this transition changes its status (none otherwise). */
  private projection(prev: Run, next: Run): CompanionWrite[] {
    if (prev.status === next.status) return [];
    const info = Object.prototype.hasOwnProperty.call(this.catalog, next.type) ? this.catalog[next.type] : undefined;
    return info?.project?.(next) ?? [];
  }

  /** §5 cancel: a queued run completes at once as cancelled; a running one gets cancelRequested. */
  requestCancel(tenantId: string, runId: string): Promise<Run> {
    return this.apply(tenantId, runId, { type: 'requestCancel' }) as Promise<Run>;
  }

  /** Completes an active run as failed for a reason no worker decided (dispatch, DLQ, reaper). */
  failRun(tenantId: string, runId: string, code: FailCode, message: string, guard?: (run: Run) => boolean) {
    return this.apply(tenantId, runId, { type: 'fail', code, message }, { guard: (r) => r.status !== 'completed' && (guard?.(r) ?? true) });
  }
}

/** The lease is held by a live worker: try again later (the message becomes visible again). */
export class LeaseHeldError extends Error {
  constructor(readonly runId: string, readonly leaseExpiresAt: string | null) {
    super(`run ${runId} is being worked on (lease until ${leaseExpiresAt})`);
    this.name = 'LeaseHeldError';
  }
}

/**
 * Claims a run for a worker (§8): `queued → running`, or a `running` run whose lease expired is
 * taken over with `attempt + 1`. A completed run answers null (a redelivery: acknowledge, ignore).
 */
export async function claimRun(service: RunService, tenantId: string, runId: string, leaseMs: number, now: () => Date = () => new Date()): Promise<Run | null> {
  let refusedLease: Run | null = null;
  const claimed = await service.apply(
    tenantId,
    runId,
    (run) => (run.status === 'queued' ? { type: 'claim', leaseMs } : { type: 'takeover', leaseMs }),
    {
      guard: (run) => {
        if (run.status === 'completed') return false;
        if (run.status === 'running' && run.leaseExpiresAt && Date.parse(run.leaseExpiresAt) > now().getTime()) {
          refusedLease = run;
          return false;
        }
        return true;
      },
    },
  );
  if (refusedLease) throw new LeaseHeldError(runId, (refusedLease as Run).leaseExpiresAt);
  return claimed;
}
