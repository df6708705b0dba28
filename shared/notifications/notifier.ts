/**
 * The notifier (SPEC §7): a run event → at most one notification per (run, kind), to the run's
 * initiator only. System-started runs notify nobody. Events may arrive more than once (the stream
 * and EventBridge both deliver at least once); the store's (run, kind) marker makes that harmless.
 *
 * Trust (issue 15, item 5): the event names WHICH run changed and nothing more is believed from it.
 * The recipient, the view link and every word of the notification come from the STORED run (anyone
 * able to put an event on the bus could otherwise address a notification to any user or link them
 * anywhere), and a recipient who is no longer a member of the run's tenant gets nothing.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { ulid } from 'ulid';
import * as z from '../zod.js';
import { DETAIL_TYPES } from '../wiring.js';
import { viewUrlOf } from '../runs/model.js';
import type { Stores } from '../store/stores.js';
import { logger } from '../observability/logger.js';
import { composeNotification, type NotificationKind } from './model.js';

/** The stores the notifier reads (runs, memberships) and writes (notifications). */
export type NotifierDeps = Pick<Stores, 'runs' | 'notifications' | 'directory'>;

const KIND_BY_DETAIL_TYPE: Record<string, NotificationKind | undefined> = {
  [DETAIL_TYPES.queued]: 'run.queued',
  [DETAIL_TYPES.completed]: 'run.completed',
};

/** The part of the §6 detail the notifier uses: which run. Everything else is read from the run. */
const runEventDetail = z.object({
  tenantId: z.string().check(z.minLength(1), z.maxLength(200)),
  runId: z.string().check(z.minLength(1), z.maxLength(200)),
});

export type NotifyResult =
  | { status: 'created' | 'duplicate'; userId: string; notificationId: string }
  | { status: 'skipped'; reason: 'not a notified event' | 'system run' | 'invalid detail' | 'run gone' | 'not a member' };

export async function notifyInitiator(event: Pick<EventBridgeEvent<string, unknown>, 'detail-type' | 'detail'>, deps: NotifierDeps): Promise<NotifyResult> {
  const kind = KIND_BY_DETAIL_TYPE[event['detail-type']];
  if (!kind) return { status: 'skipped', reason: 'not a notified event' };
  const parsed = runEventDetail.safeParse(event.detail);
  if (!parsed.success) {
    // Retrying cannot fix a malformed detail: log it and acknowledge.
    logger.error('a run event without a usable detail was ignored', { detailType: event['detail-type'], issues: parsed.error.issues.map((i) => i.path.join('.')) });
    return { status: 'skipped', reason: 'invalid detail' };
  }
  const run = await deps.runs.getRun(parsed.data.tenantId, parsed.data.runId);
  if (!run) return { status: 'skipped', reason: 'run gone' };
  const userId = run.initiator.userId;
  if (userId === null) return { status: 'skipped', reason: 'system run' };
  // Membership now, not when the run started: a user removed from the tenant hears nothing more of it.
  if (!(await deps.directory.getMembership(userId, run.tenantId))) return { status: 'skipped', reason: 'not a member' };

  const happenedAt = kind === 'run.completed' ? run.completedAt ?? new Date().toISOString() : run.createdAt;
  const notification = composeNotification(
    kind,
    {
      tenantId: run.tenantId, runId: run.id, label: run.label, outcome: run.outcome, summaryCounts: run.summaryCounts,
      failureCount: run.failureCount, viewUrl: viewUrlOf(run.tenantId, run.id),
    },
    // The id's time is when the run changed, so "newest first" follows the runs' history.
    ulid(Date.parse(happenedAt)),
    happenedAt,
  );
  // A notification expires with its run (§7).
  const { created, notificationId } = await deps.notifications.putOnce(userId, notification, run.expiresAt);
  return { status: created ? 'created' : 'duplicate', userId, notificationId };
}
