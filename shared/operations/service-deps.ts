/**
 * What the functions that move runs without running an executor need — the backup tick, the
 * reaper, the DLQ handler: the stores, the run service and the work queue, built once per Lambda
 * container from the settings. No executor and no Graph client: those come with
 * `workerDeps()` (./worker-deps.ts), which extends these, so these functions' bundles stay small
 * (issue 18). `setWorkerDeps` overrides both (tests, local runtime).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { makeLogger } from '../observability/logger.js';
import { LazySqsWorkQueue } from '../queue/lazy-sqs-work-queue.js';
import type { WorkQueue } from '../runs/ports.js';
import { RunService } from '../runs/service.js';
import { settings } from '../settings.js';
import { sharedDocumentClient } from '../store/clients.js';
import type { RunStore } from '../store/run-store.js';
import { planStores, storeSet, type PlanStores } from '../store/stores.js';
import { CATALOG } from './catalog.js';

export interface ServiceDeps<S extends PlanStores = PlanStores> {
  store: RunStore;
  service: RunService;
  queue: WorkQueue;
  /** the stores start plans use (the schedule starter starts runs); the worker's deps carry every store */
  stores: S;
  logger: Logger;
  clock?: () => Date;
}

export function makeServiceDeps(opts: { doc: DynamoDBDocumentClient; table: string; queue: WorkQueue; clock?: () => Date }): ServiceDeps & { clock: () => Date } {
  const clock = opts.clock ?? (() => new Date());
  return serviceDepsOver(planStores(storeSet({ doc: opts.doc, table: opts.table, clock })), opts.queue, clock);
}

/** The service deps over stores already built (the worker's: every store). */
export function serviceDepsOver<S extends PlanStores>(stores: S, queue: WorkQueue, clock: () => Date): ServiceDeps<S> & { clock: () => Date } {
  return {
    store: stores.runs,
    service: new RunService({ catalog: CATALOG, store: stores.runs, queue, clock }),
    queue,
    stores,
    logger: makeLogger('operation-runs-worker'),
    clock,
  };
}

/**
 * The environment's doc client, table and work queue (what both dependency sets are built from). The
 * queue's SQS client loads on the first send (shared/queue/lazy-sqs-work-queue.ts): the worker sends
 * only continuations and hand-overs, and in the bundles that do not split code the load is inlined.
 */
export const environmentClients = () => ({ doc: sharedDocumentClient(), table: settings().tableName, queue: new LazySqsWorkQueue(settings().workQueueUrl ?? '') });

let cached: ServiceDeps | undefined;
let override: ServiceDeps | undefined;

export function serviceDeps(): ServiceDeps {
  if (override) return override;
  return (cached ??= makeServiceDeps(environmentClients()));
}

export function setServiceDeps(deps: ServiceDeps | undefined) {
  override = deps;
}
