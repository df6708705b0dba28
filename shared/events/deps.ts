/**
 * What the event consumers need, built once per Lambda container from the settings:
 *  - the EventPublisher: EventBridge on the bus named by settings().eventBusName in AWS; the local
 *    runtime and tests put their own (the in-process bus, a recorder) with `setEventPublisher`;
 *  - the stores the rule targets (the notifier) write to: one `Stores` object on the settings' table;
 *    the local runtime and tests put their own with `setEventDeps`.
 * Nothing here comes from the HTTP layer.
 */
import { settings } from '../settings.js';
import { sharedDocumentClient } from '../store/clients.js';
import { makeStores, type Stores } from '../store/stores.js';
import { EventBridgePublisher, sharedEventBridgeClient } from './eventbridge-publisher.js';
import type { EventPublisher } from './ports.js';

let cached: EventPublisher | undefined;
let override: EventPublisher | undefined;

export function eventPublisher(): EventPublisher {
  return override ?? (cached ??= new EventBridgePublisher(sharedEventBridgeClient(), settings().eventBusName));
}

export function setEventPublisher(publisher: EventPublisher | undefined) {
  override = publisher;
}

export interface EventDeps {
  stores: Stores;
  clock: () => Date;
}

export function makeEventDeps(opts: { stores: Stores; clock?: () => Date }): EventDeps {
  return { stores: opts.stores, clock: opts.clock ?? (() => new Date()) };
}

let cachedDeps: EventDeps | undefined;
let overrideDeps: EventDeps | undefined;

/** The deps of this process's event consumers: an override (tests, local runtime) or the settings'. */
export function eventDeps(): EventDeps {
  if (overrideDeps) return overrideDeps;
  return (cachedDeps ??= makeEventDeps({ stores: makeStores({ doc: sharedDocumentClient(), table: settings().tableName }) }));
}

export function setEventDeps(deps: EventDeps | undefined) {
  overrideDeps = deps;
}
