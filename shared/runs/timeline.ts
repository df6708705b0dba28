/**
 * The run timeline (issue 17 item 2): one small entry per committed transition, derived purely
 * from the run before and after the write. The store writes the entry in the SAME transaction as
 * the run, so the timeline can never show a transition that did not happen, nor miss one.
 */
import type { Run, RunOutcome } from './model.js';

export const TIMELINE_KINDS = ['queued', 'started', 'checkpoint', 'cancel_requested', 'continuation', 'takeover', 'completed'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface TimelineEntry {
  /** the run's version after the write: unique per run and increasing, so entries sort by it */
  seq: number;
  at: string;
  kind: TimelineKind;
  /** the worker attempt the transition belongs to */
  attempt: number;
  /** processed/total/succeeded/failed/skipped at that moment (checkpoints, continuation, completion) */
  counts?: { total: number; processed: number; succeeded: number; failed: number; skipped: number };
  outcome?: RunOutcome;
  /** why a run ended as failed without its worker deciding it (dispatch_failed, worker_lost…) */
  code?: string;
}

const pickCounts = (run: Run) => {
  const c = run.summaryCounts;
  return { total: c.total ?? 0, processed: c.processed ?? 0, succeeded: c.succeeded ?? 0, failed: c.failed ?? 0, skipped: c.skipped ?? 0 };
};

/** When the write happened: the fields the lifecycle stamps, else the lease it renewed, else now. */
function writtenAt(prev: Run | null, next: Run, now: Date): string {
  if (!prev) return next.createdAt;
  if (prev.status === 'queued' && next.status === 'running' && next.startedAt) return next.startedAt;
  if (next.status === 'completed' && next.completedAt) return next.completedAt;
  return now.toISOString();
}

/** The timeline entry a write of `next` (over `prev`, or a new run when null) stands for. */
export function timelineEntry(prev: Run | null, next: Run, now: Date): TimelineEntry {
  const base = { seq: next.version, at: writtenAt(prev, next, now), attempt: next.attempt };
  if (!prev) return { ...base, kind: 'queued' };
  if (next.status === 'completed') {
    const newFailure = next.failureCount > prev.failureCount ? next.failures[next.failures.length - 1] : undefined;
    const decidedElsewhere = newFailure && ['dispatch_failed', 'worker_exhausted_retries', 'dispatch_lost', 'worker_lost'].includes(newFailure.code);
    return { ...base, kind: 'completed', outcome: next.outcome, counts: pickCounts(next), ...(decidedElsewhere ? { code: newFailure.code } : {}) };
  }
  if (prev.status === 'queued' && next.status === 'running') return { ...base, kind: 'started' };
  if (next.attempt > prev.attempt) return { ...base, kind: 'takeover' };
  if (next.cancelRequested && !prev.cancelRequested) return { ...base, kind: 'cancel_requested' };
  // A checkpoint that releases the lease (lease = now) hands the run to a continuation or a retry.
  const leaseReleased = next.leaseExpiresAt !== null && Date.parse(next.leaseExpiresAt) <= now.getTime();
  return { ...base, kind: leaseReleased ? 'continuation' : 'checkpoint', counts: pickCounts(next) };
}
