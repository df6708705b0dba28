/**
 * What the worker, DLQ handler and reaper need, built once per Lambda container from the
 * settings (table, work queue URL, endpoints: shared/settings.ts). Tests and the local runtime build their own
 * with `makeWorkerDeps` or override with `setWorkerDeps`.
 */
import { CATALOG } from './catalog.js';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { GraphClientOptions } from '../graph/client.js';
import { RoutingSecretResolver, type SecretResolver } from '../graph/secrets.js';
import { graphClientsFor } from '../graph/tenant-clients.js';
import { makeLogger } from '../observability/logger.js';
import { SqsWorkQueue } from '../queue/sqs-work-queue.js';
import type { WorkQueue } from '../runs/ports.js';
import { RunService } from '../runs/service.js';
import { sharedDocumentClient, sharedSqsClient } from '../store/clients.js';
import type { RunStore } from '../store/run-store.js';
import { makeStores } from '../store/stores.js';
import { settings } from '../settings.js';
import { EXECUTORS } from './index.js';
import type { WorkerDeps } from './worker.js';

export interface AllWorkerDeps extends WorkerDeps {
  store: RunStore;
}

export function makeWorkerDeps(opts: {
  doc: DynamoDBDocumentClient;
  table: string;
  queue: WorkQueue;
  clock?: () => Date;
  secrets?: SecretResolver;
  graphOptions?: Omit<GraphClientOptions, 'settings' | 'secrets'>;
  settings?: WorkerDeps['settings'];
}): AllWorkerDeps {
  const clock = opts.clock ?? (() => new Date());
  const stores = makeStores({ doc: opts.doc, table: opts.table, clock });
  const store = stores.runs;
  const directory = stores.directory;
  return {
    store,
    service: new RunService({ catalog: CATALOG, store, queue: opts.queue, clock }),
    queue: opts.queue,
    executors: EXECUTORS,
    graphFor: graphClientsFor(async (t) => (await directory.getTenant(t))?.graph, opts.secrets ?? new RoutingSecretResolver(), opts.graphOptions),
    stores,
    logger: makeLogger('operation-runs-worker'),
    clock,
    settings: opts.settings,
  };
}

let cached: AllWorkerDeps | undefined;
let override: AllWorkerDeps | undefined;

/**
 * The container's deps, built on first use. Only the run worker calls Graph as the app: its entry
 * passes the MSAL token source (`appTokens`), so MSAL is bundled there and nowhere else.
 */
export function workerDeps(graphOptions: Omit<GraphClientOptions, 'settings' | 'secrets'> = {}): AllWorkerDeps {
  if (override) return override;
  return (cached ??= makeWorkerDeps({
    doc: sharedDocumentClient(),
    table: settings().tableName,
    queue: new SqsWorkQueue(sharedSqsClient(), settings().workQueueUrl ?? ''),
    graphOptions: { batching: settings().graph.batching, ...graphOptions },
  }));
}

export function setWorkerDeps(deps: AllWorkerDeps | undefined) {
  override = deps;
}

