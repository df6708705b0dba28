/**
 * The run lifecycle as a pure state machine (SPEC §4): `transition(run, event, now) → run'`.
 * No I/O. The store mirrors each guard here as a DynamoDB condition, so a rule lives in one place
 * and a concurrent writer can never break it.
 *
 *   queued ──claim──▶ running ──complete──▶ completed
 *     │                 │  ▲ takeover (lease expired, attempt+1)
 *     │                 └──┘ checkpoint / requestCancel (flag only)
 *     └──cancel / dispatchFailed / reap / exhausted──▶ completed   (completed never changes again)
 */
import {
  MAX_STORED_FAILURES,
  type FinalOutcome,
  type Run,
  type RunFailure,
  type RunStatus,
  type SummaryCounts,
} from './model.js';
import { DomainError } from '../errors.js';

export type RunEvent =
  | { type: 'claim'; leaseMs: number }
  | { type: 'takeover'; leaseMs: number }
  | { type: 'checkpoint'; leaseMs: number; counts: SummaryCounts; newFailures?: RunFailure[]; cursor: unknown; context?: Record<string, unknown> }
  | { type: 'complete'; outcome?: FinalOutcome; counts?: SummaryCounts; newFailures?: RunFailure[]; context?: Record<string, unknown> }
  | { type: 'requestCancel' }
  | { type: 'fail'; code: FailCode; message: string };

/** Ways a run ends as failed without a worker deciding it (dispatch, DLQ, reaper). */
export type FailCode = 'dispatch_failed' | 'worker_exhausted_retries' | 'dispatch_lost' | 'worker_lost';

export const RUN_EVENTS: RunEvent['type'][] = ['claim', 'takeover', 'checkpoint', 'complete', 'requestCancel', 'fail'];

export class TransitionError extends DomainError {
  readonly code = 'invalid_transition';

  constructor(readonly from: RunStatus, readonly event: RunEvent['type'], readonly reason: string) {
    super(`cannot ${event} a ${from} run: ${reason}`);
  }
}

/** Which statuses each event may start from. */
export const ALLOWED_FROM: Record<RunEvent['type'], readonly RunStatus[]> = {
  claim: ['queued'],
  takeover: ['running'],
  checkpoint: ['running'],
  complete: ['running', 'queued'],
  requestCancel: ['queued', 'running'],
  fail: ['queued', 'running'],
};

const ms = (iso: string) => Date.parse(iso);
const plus = (now: Date, millis: number) => new Date(now.getTime() + millis).toISOString();

/** Appends failures, keeping at most 50 stored while counting all. */
export function appendFailures(run: Pick<Run, 'failures' | 'failureCount'>, newFailures: RunFailure[] = []) {
  const room = Math.max(0, MAX_STORED_FAILURES - run.failures.length);
  return {
    failures: [...run.failures, ...newFailures.slice(0, room)],
    failureCount: run.failureCount + newFailures.length,
  };
}

/** The item counts an outcome is decided by. */
export type ItemCounts = Pick<SummaryCounts, 'succeeded' | 'failed' | 'skipped'>;

/** The outcome a worker's counts imply (§3): failed when every item failed, partial when some did. */
export function outcomeFromCounts(counts: ItemCounts): Exclude<FinalOutcome, 'cancelled'>;
export function outcomeFromCounts(counts: ItemCounts, cancelled: boolean): FinalOutcome;
export function outcomeFromCounts(counts: ItemCounts, cancelled = false): FinalOutcome {
  if (cancelled) return 'cancelled';
  if (counts.failed > 0 && counts.succeeded === 0 && counts.skipped === 0) return 'failed';
  if (counts.failed > 0) return 'partially_succeeded';
  return 'succeeded';
}

export function transition(run: Run, event: RunEvent, now: Date): Run {
  if (!ALLOWED_FROM[event.type].includes(run.status)) {
    throw new TransitionError(run.status, event.type, run.status === 'completed' ? 'a completed run never changes' : 'not allowed from this status');
  }
  const nowIso = now.toISOString();
  const base = { ...run, version: run.version + 1 };
  const finish = (outcome: FinalOutcome): Run => ({
    ...base,
    status: 'completed',
    outcome,
    completedAt: nowIso,
    durationMs: ms(nowIso) - ms(run.startedAt ?? run.createdAt),
    queueWaitMs: run.queueWaitMs ?? (run.startedAt ? ms(run.startedAt) - ms(run.createdAt) : null),
    leaseExpiresAt: null,
  });

  switch (event.type) {
    case 'claim':
      return {
        ...base,
        status: 'running',
        attempt: run.attempt + 1,
        startedAt: nowIso,
        queueWaitMs: ms(nowIso) - ms(run.createdAt),
        leaseExpiresAt: plus(now, event.leaseMs),
      };
    case 'takeover':
      if (run.leaseExpiresAt && ms(run.leaseExpiresAt) > now.getTime()) {
        throw new TransitionError(run.status, event.type, 'the lease has not expired');
      }
      return { ...base, attempt: run.attempt + 1, leaseExpiresAt: plus(now, event.leaseMs) };
    case 'checkpoint':
      return {
        ...base,
        ...appendFailures(run, event.newFailures),
        summaryCounts: event.counts,
        checkpoint: event.cursor,
        context: { ...run.context, ...(event.context ?? {}) },
        leaseExpiresAt: plus(now, event.leaseMs),
      };
    case 'complete': {
      if (run.status === 'queued' && event.outcome !== 'cancelled') {
        throw new TransitionError(run.status, event.type, 'only a cancel completes a queued run without a worker');
      }
      const counts = event.counts ?? run.summaryCounts;
      const merged = { ...run, ...appendFailures(run, event.newFailures) };
      const outcome = event.outcome ?? outcomeFromCounts(counts, run.cancelRequested);
      return {
        ...finish(outcome),
        failures: merged.failures,
        failureCount: merged.failureCount,
        summaryCounts: counts,
        context: { ...run.context, ...(event.context ?? {}) },
      };
    }
    case 'requestCancel':
      if (run.status === 'queued') return { ...finish('cancelled'), cancelRequested: true };
      return { ...base, cancelRequested: true };
    case 'fail':
      return {
        ...finish('failed'),
        ...appendFailures(run, [{ code: event.code, message: event.message }]),
      };
  }
}
