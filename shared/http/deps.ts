/**
 * What API handlers need, built once per Lambda container from the environment. Tests build their
 * own with `makeApiDeps({...})` and pass them in.
 */
import { CATALOG } from '../operations/catalog.js';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sharedDocumentClient } from '../store/clients.js';
import type { DirectoryStore } from '../store/directory-store.js';
import type { RunStore } from '../store/run-store.js';
import { makeStores, type Stores } from '../store/stores.js';
import { RunService } from '../runs/service.js';
import type { WorkQueue } from '../runs/ports.js';
import { settings } from '../settings.js';

export interface ApiDeps {
  doc: DynamoDBDocumentClient;
  table: string;
  stores: Stores;
  runs: RunStore;
  directory: DirectoryStore;
  service: RunService;
  queue: WorkQueue;
  clock: () => Date;
}

export function makeApiDeps(opts: { doc: DynamoDBDocumentClient; table: string; queue: WorkQueue; clock?: () => Date }): ApiDeps {
  const clock = opts.clock ?? (() => new Date());
  const stores = makeStores({ doc: opts.doc, table: opts.table, clock });
  return {
    doc: opts.doc,
    table: opts.table,
    stores,
    runs: stores.runs,
    directory: stores.directory,
    service: new RunService({ catalog: CATALOG, store: stores.runs, queue: opts.queue, clock }),
    queue: opts.queue,
    clock,
  };
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
