/** Target of the `notify-initiator` rule: run Queued/Completed events → the initiator's notifications (SPEC §7). */
import type { EventBridgeEvent } from 'aws-lambda';
import { eventDeps } from '../../shared/events/deps.js';
import { notifyInitiator } from '../../shared/notifications/notifier.js';

export const handler = async (event: EventBridgeEvent<string, unknown>) => {
  // The process's event deps (from the settings in AWS; set by the local runtime and tests).
  const { stores } = eventDeps();
  await notifyInitiator(event, stores);
};
