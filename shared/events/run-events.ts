/**
 * Run events (SPEC §6) as a pure function of a committed write: (old run image, new run image) →
 * the event it means, or nothing. No I/O; the stream publisher feeds it stream records.
 *
 *   (none)  → queued     OperationRun Queued
 *   queued  → running    OperationRun Started
 *   queued  → completed  OperationRun Completed   (cancel, dispatch failure, reaper)
 *   running → completed  OperationRun Completed
 *   same status          nothing  (checkpoints, lease renewals, cancelRequested, takeovers)
 */
import { DETAIL_TYPES, EVENT_SOURCE } from '../wiring.js';
import { viewUrlOf, type Initiator, type Run, type RunOutcome, type RunStatus, type Surface, type SummaryCounts } from '../runs/model.js';
import { sanitizeValue } from '../runs/sanitize.js';
import type { BusEvent } from './ports.js';

export type RunDetailType = (typeof DETAIL_TYPES)[keyof typeof DETAIL_TYPES];

/** Exactly the §6 detail: never the input, the failures or internal bookkeeping. */
export interface RunEventDetail {
  tenantId: string;
  runId: string;
  type: string;
  status: RunStatus;
  outcome: RunOutcome;
  initiator: Initiator;
  surface: Surface;
  summaryCounts: SummaryCounts;
  failureCount: number;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  viewUrl: string;
}

const DETAIL_TYPE_BY_STATUS: Record<RunStatus, RunDetailType> = {
  queued: DETAIL_TYPES.queued,
  running: DETAIL_TYPES.started,
  completed: DETAIL_TYPES.completed,
};

/** The detail-type a write from `before` to `after` publishes, or null when its status did not change. */
export function detailTypeOf(before: Pick<Run, 'status'> | null, after: Pick<Run, 'status'> | null): RunDetailType | null {
  if (!after) return null; // a delete (TTL expiry) is not a state change
  if (before && before.status === after.status) return null;
  return DETAIL_TYPE_BY_STATUS[after.status];
}

export function runEventDetail(run: Run): RunEventDetail {
  const detail = sanitizeValue({
    tenantId: run.tenantId,
    runId: run.id,
    type: run.type,
    status: run.status,
    outcome: run.outcome,
    initiator: { userId: run.initiator.userId, name: run.initiator.name },
    surface: run.surface,
    summaryCounts: run.summaryCounts,
    failureCount: run.failureCount,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    completedAt: run.completedAt,
  });
  // The view link is built from the (sanitized) ids, not sanitized itself: the sanitizer's
  // high-entropy rule mistakes a long `/console/…/runs/<ULID>` path for a secret.
  return { ...detail, viewUrl: viewUrlOf(detail.tenantId, detail.runId) };
}

/** The bus event a committed write means, or null when it publishes nothing. */
export function runEventOf(before: Run | null, after: Run | null, time?: Date): BusEvent | null {
  const detailType = detailTypeOf(before, after);
  if (!detailType || !after) return null;
  return { source: EVENT_SOURCE, detailType, detail: { ...runEventDetail(after) }, time };
}
