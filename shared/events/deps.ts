/**
 * What the event consumers need, built once per Lambda container from the settings:
 *  - the EventPublisher: EventBridge on the bus named by settings().eventBusName in AWS; the local
 *    runtime and tests put their own (the in-process bus, a recorder) with `setEventPublisher`;
 *  - the stores the rule targets (the notifier) read and write: runs, notifications, directory, on the
 *    settings' table (only those, so the notifier bundles no other store);
 *    the local runtime and tests put their own with `setEventDeps`.
 * Nothing here comes from the HTTP layer.
 */
import { settings } from '../settings.js';
import { sharedDocumentClient } from '../store/clients.js';
import { directoryStore, notificationStore, runStore, storeSet, type Stores } from '../store/stores.js';
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

export type EventStores = Pick<Stores, 'runs' | 'notifications' | 'directory'>;

export interface EventDeps {
  stores: EventStores;
  clock: () => Date;
}

export function makeEventDeps(opts: { stores: EventStores; clock?: () => Date }): EventDeps {
  return { stores: opts.stores, clock: opts.clock ?? (() => new Date()) };
}

let cachedDeps: EventDeps | undefined;
let overrideDeps: EventDeps | undefined;

/** The deps of this process's event consumers: an override (tests, local runtime) or the settings'. */
export function eventDeps(): EventDeps {
  if (overrideDeps) return overrideDeps;
  if (cachedDeps) return cachedDeps;
  const set = storeSet({ doc: sharedDocumentClient(), table: settings().tableName });
  return (cachedDeps = makeEventDeps({ stores: { runs: runStore(set), notifications: notificationStore(set), directory: directoryStore(set) } }));
}

export function setEventDeps(deps: EventDeps | undefined) {
  overrideDeps = deps;
}
