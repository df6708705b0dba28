/**
 * In-app notifications (SPEC §7) as the domain sees them, and the words they say. Pure, no I/O.
 */
import type { FinalOutcome, RunOutcome, SummaryCounts } from '../runs/model.js';

export const NOTIFICATION_KINDS = ['run.queued', 'run.completed'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface Notification {
  id: string;
  tenantId: string;
  runId: string;
  kind: NotificationKind;
  title: string;
  body: string;
  /** only on run.completed */
  outcome?: FinalOutcome;
  viewUrl: string;
  createdAt: string;
  readAt: string | null;
}

/** What a notification is composed from: the event's view of the run, plus its label. */
export interface NotifiedRun {
  tenantId: string;
  runId: string;
  label: string;
  outcome: RunOutcome;
  summaryCounts: SummaryCounts;
  failureCount: number;
  viewUrl: string;
}

const OUTCOME_WORDS: Record<FinalOutcome, string> = {
  succeeded: 'succeeded',
  partially_succeeded: 'partially succeeded',
  failed: 'failed',
  cancelled: 'was cancelled',
};

const items = (n: number) => `${n} ${n === 1 ? 'item' : 'items'}`;

/** "Inventory sync queued" / "Inventory sync partially succeeded — 2 of 42 items failed". */
export function notificationTitle(kind: NotificationKind, run: NotifiedRun): string {
  if (kind === 'run.queued') return `${run.label} queued`;
  const outcome = finalOutcome(run.outcome);
  const counts = run.summaryCounts;
  const itemFailures = (outcome === 'partially_succeeded' || outcome === 'failed') && counts.failed > 0 && counts.total > 0;
  return `${run.label} ${OUTCOME_WORDS[outcome]}${itemFailures ? ` — ${counts.failed} of ${items(counts.total)} failed` : ''}`;
}

export function notificationBody(kind: NotificationKind, run: NotifiedRun): string {
  if (kind === 'run.queued') return `Your ${run.label} for ${run.tenantId} is queued. You will be notified when it ends.`;
  const c = run.summaryCounts;
  const tally = c.total > 0
    ? `${c.processed} of ${items(c.total)} processed: ${c.succeeded} succeeded, ${c.failed} failed, ${c.skipped} skipped.`
    : 'No items were processed.';
  const outcome = finalOutcome(run.outcome);
  if (outcome === 'failed' && run.failureCount > c.failed) return `Your ${run.label} for ${run.tenantId} stopped with an error. ${tally} Open the run for details.`;
  return `Your ${run.label} for ${run.tenantId} ${OUTCOME_WORDS[outcome]}. ${tally}`;
}

/** A completed run always has a final outcome; a `pending` one here means a bad event, read as failed. */
const finalOutcome = (o: RunOutcome): FinalOutcome => (o === 'pending' ? 'failed' : o);

export function composeNotification(kind: NotificationKind, run: NotifiedRun, id: string, createdAt: string): Notification {
  return {
    id,
    tenantId: run.tenantId,
    runId: run.runId,
    kind,
    title: notificationTitle(kind, run),
    body: notificationBody(kind, run),
    ...(kind === 'run.completed' ? { outcome: finalOutcome(run.outcome) } : {}),
    viewUrl: run.viewUrl,
    createdAt,
    readAt: null,
  };
}
