/**
 * The notifier (SPEC §7): a run event → at most one notification per (run, kind), to the run's
 * initiator only. System-started runs notify nobody. Events may arrive more than once (the stream
 * and EventBridge both deliver at least once); the store's (run, kind) marker makes that harmless.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { ulid } from 'ulid';
import * as z from 'zod';
import { DETAIL_TYPES } from '../wiring.js';
import { OUTCOMES } from '../runs/model.js';
import type { RunStore } from '../store/run-store.js';
import type { NotificationStore } from '../store/notification-store.js';
import { logger } from '../observability/logger.js';
import { composeNotification, type NotificationKind } from './model.js';

export interface NotifierDeps {
  runs: RunStore;
  notifications: NotificationStore;
}

const KIND_BY_DETAIL_TYPE: Record<string, NotificationKind | undefined> = {
  [DETAIL_TYPES.queued]: 'run.queued',
  [DETAIL_TYPES.completed]: 'run.completed',
};

/** The part of the §6 detail the notifier relies on; an event without it is not ours to act on. */
const runEventDetail = z.object({
  tenantId: z.string().min(1),
  runId: z.string().min(1),
  outcome: z.enum(OUTCOMES),
  initiator: z.object({ userId: z.string().min(1).nullable(), name: z.string() }),
  summaryCounts: z.object({ total: z.number(), processed: z.number(), succeeded: z.number(), failed: z.number(), skipped: z.number() }).catchall(z.number()),
  failureCount: z.number(),
  createdAt: z.iso.datetime({ offset: true }),
  completedAt: z.iso.datetime({ offset: true }).nullable(),
  viewUrl: z.string(),
});

export type NotifyResult =
  | { status: 'created' | 'duplicate'; userId: string; notificationId: string }
  | { status: 'skipped'; reason: 'not a notified event' | 'system run' | 'invalid detail' | 'run gone' };

export async function notifyInitiator(event: Pick<EventBridgeEvent<string, unknown>, 'detail-type' | 'detail'>, deps: NotifierDeps): Promise<NotifyResult> {
  const kind = KIND_BY_DETAIL_TYPE[event['detail-type']];
  if (!kind) return { status: 'skipped', reason: 'not a notified event' };
  const parsed = runEventDetail.safeParse(event.detail);
  if (!parsed.success) {
    // Retrying cannot fix a malformed detail: log it and acknowledge.
    logger.error('a run event without a usable detail was ignored', { detailType: event['detail-type'], issues: parsed.error.issues.map((i) => i.path.join('.')) });
    return { status: 'skipped', reason: 'invalid detail' };
  }
  const detail = parsed.data;
  const userId = detail.initiator.userId;
  if (userId === null) return { status: 'skipped', reason: 'system run' };

  // The run gives the label and the expiry: a notification expires with its run (§7).
  const run = await deps.runs.getRun(detail.tenantId, detail.runId);
  if (!run) return { status: 'skipped', reason: 'run gone' };

  const happenedAt = kind === 'run.completed' ? detail.completedAt ?? new Date().toISOString() : detail.createdAt;
  const notification = composeNotification(
    kind,
    { ...detail, summaryCounts: detail.summaryCounts as never, label: run.label },
    // The id's time is when the run changed, so "newest first" follows the runs' history.
    ulid(Date.parse(happenedAt)),
    happenedAt,
  );
  const { created, notificationId } = await deps.notifications.putOnce(userId, notification, run.expiresAt);
  return { status: created ? 'created' : 'duplicate', userId, notificationId };
}
