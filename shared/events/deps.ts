/**
 * The process's EventPublisher: EventBridge on the bus named by EVENT_BUS_NAME in AWS; the local
 * runtime and tests put their own (the in-process bus, a recorder) with `setEventPublisher`.
 */
import { EVENT_BUS_NAME } from '../wiring.js';
import { EventBridgePublisher, sharedEventBridgeClient } from './eventbridge-publisher.js';
import type { EventPublisher } from './ports.js';

let cached: EventPublisher | undefined;
let override: EventPublisher | undefined;

export function eventPublisher(): EventPublisher {
  return override ?? (cached ??= new EventBridgePublisher(sharedEventBridgeClient(), EVENT_BUS_NAME));
}

export function setEventPublisher(publisher: EventPublisher | undefined) {
  override = publisher;
}
