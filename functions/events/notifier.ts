/** Target of the `notify-initiator` rule: run Queued/Completed events → the initiator's notifications (SPEC §7). */
import type { EventBridgeEvent } from 'aws-lambda';
import { apiDeps } from '../../shared/http/deps.js';
import { notifyInitiator } from '../../shared/notifications/notifier.js';
import { NotificationStore } from '../../shared/store/notification-store.js';

export const handler = async (event: EventBridgeEvent<string, unknown>) => {
  // The process's table deps (from the environment in AWS; set by the local runtime and tests).
  const { doc, table, runs, clock } = apiDeps();
  await notifyInitiator(event, { runs, notifications: new NotificationStore(doc, table, clock) });
};
