/**
 * What API handlers need, built once per Lambda container from the environment. Tests build their
 * own with `makeApiDeps({...})` and pass them in.
 */
import { CATALOG } from '../operations/catalog.js';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sharedDocumentClient } from '../store/clients.js';
import type { DirectoryStore } from '../store/directory-store.js';
import { directoryStore, runStore, storeSet, type StoreSet } from '../store/stores.js';
import { RunService } from '../runs/service.js';
import type { WorkQueue } from '../runs/ports.js';
import { settings } from '../settings.js';

export interface ApiDeps {
  doc: DynamoDBDocumentClient;
  table: string;
  /**
   * The stores, built on first use: a handler takes the ones it uses through their accessors
   * (`backupStore(deps.stores)`, shared/store/stores.ts), so its bundle carries no other store.
   */
  stores: StoreSet;
  /** memberships and users: every signed-in route reads them */
  directory: DirectoryStore;
  queue: WorkQueue;
  clock: () => Date;
}

export function makeApiDeps(opts: { doc: DynamoDBDocumentClient; table: string; queue: WorkQueue; clock?: () => Date }): ApiDeps {
  const clock = opts.clock ?? (() => new Date());
  const stores = storeSet({ doc: opts.doc, table: opts.table, clock });
  return { doc: opts.doc, table: opts.table, stores, directory: directoryStore(stores), queue: opts.queue, clock };
}

const services = new WeakMap<ApiDeps, RunService>();

/**
 * The run service over `deps` (built on first use): only the routes that read or move runs call
 * it, so only their bundles carry the run service and the operation catalog.
 */
export function runService(deps: ApiDeps): RunService {
  let service = services.get(deps);
  if (!service) services.set(deps, (service = new RunService({ catalog: CATALOG, store: runStore(deps.stores), queue: deps.queue, clock: deps.clock })));
  return service;
}

/**
 * The work queue is the one dependency only some functions have (wiring `access.sendWork`): a
 * function that sends work registers it in its entry (`useWorkQueue(sqsWorkQueue)`, see
 * shared/http/work-queue.ts), so the SQS client is bundled only there (issue 18).
 * test/unit/bundle-budget.test.ts checks the bundles against the wiring.
 */
let workQueueFactory: (() => WorkQueue) | undefined;
export function useWorkQueue(factory: () => WorkQueue) {
  workQueueFactory = factory;
}
const noWorkQueue: WorkQueue = {
  send: async () => {
    throw new Error('This function has no work queue: its wiring entry lacks access.sendWork and its entry does not call useWorkQueue.');
  },
};

let cached: ApiDeps | undefined;
let override: ApiDeps | undefined;

/** The deps of this process: an override (tests, local runtime) or the environment's. */
export function apiDeps(): ApiDeps {
  if (override) return override;
  return (cached ??= makeApiDeps({
    doc: sharedDocumentClient(),
    table: settings().tableName,
    queue: workQueueFactory?.() ?? noWorkQueue,
  }));
}

export function setApiDeps(deps: ApiDeps | undefined) {
  override = deps;
}
