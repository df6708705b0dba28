/**
 * What the worker needs (the DLQ handler, reaper and tick need less: ./service-deps.ts), built once per Lambda container from the
 * settings (table, work queue URL, endpoints: shared/settings.ts). Tests and the local runtime build their own
 * with `makeWorkerDeps` or override with `setWorkerDeps`.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { GraphClientOptions } from '../graph/client.js';
import { RoutingSecretResolver, type SecretResolver } from '../graph/secrets.js';
import { graphClientsFor } from '../graph/tenant-clients.js';
import type { WorkQueue } from '../runs/ports.js';
import { settings } from '../settings.js';
import type { RunStore } from '../store/run-store.js';
import { EXECUTORS } from './index.js';
import { storeSet, workerStores } from '../store/stores.js';
import { environmentClients, serviceDepsOver, setServiceDeps } from './service-deps.js';
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
  const base = serviceDepsOver(workerStores(storeSet({ doc: opts.doc, table: opts.table, clock })), opts.queue, clock);
  const directory = base.stores.directory;
  return {
    ...base,
    executors: EXECUTORS,
    graphFor: graphClientsFor(async (t) => (await directory.getTenant(t))?.graph, opts.secrets ?? new RoutingSecretResolver(), opts.graphOptions),
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
  return (cached ??= makeWorkerDeps({ ...environmentClients(), graphOptions: { batching: settings().graph.batching, ...graphOptions } }));
}

/** Overrides the worker's deps and those of the tick, reaper and DLQ handler (./service-deps.ts). */
export function setWorkerDeps(deps: AllWorkerDeps | undefined) {
  override = deps;
  setServiceDeps(deps);
}
