/**
 * The local runtime (§10): the real handlers on one machine. DynamoDB Local, SQS on fauxqs, the
 * HTTP gateway, queue pollers, schedules — all read from the one wiring declaration.
 * `startLocalRuntime` is used by `npm start` (infra/local/main.ts) and by the tests.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { CreateTableCommand, DescribeTableCommand, ResourceNotFoundException, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import { makeDocumentClient, makeDynamoClient } from '../../shared/store/clients.js';
import { makeSqsClient } from '../../shared/queue/sqs-client.js';
import { createTableInput } from '../../shared/store/table.js';
import { TTL_ATTRIBUTE } from '../../shared/store/keys.js';
import { makeApiDeps, setApiDeps } from '../../shared/http/deps.js';
import { makeEventDeps, setEventDeps } from '../../shared/events/deps.js';
import { resetSettings, type DispatchMode } from '../../shared/settings.js';
import { makeStores } from '../../shared/store/stores.js';
import { SqsWorkQueue } from '../../shared/queue/sqs-work-queue.js';
import { MAX_CONCURRENCY_RANGE, queues, schedules, WORKER_MAX_CONCURRENCY } from '../../shared/wiring.js';
import { startDynamoLocal, type DynamoLocal } from './dynamodb-local.js';
import { compileRoutes, gatewayListener, type Fallback } from './http-gateway.js';
import { startPoller } from './sqs-poller.js';
import { lambdaContext } from './lambda-context.js';
import { seedDemo, SEED_TENANTS, type SeedHook } from './seed.js';
import { startGraphSim, seedGraphSettings, type GraphSim } from './graph-sim.js';
import { DirectoryStore } from '../../shared/store/directory-store.js';
import { seedBackupSchedules } from './seed-backup-schedules.js';
import { startLocalRunEvents } from './run-events.js'; // run events (issue 6)

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

export interface LocalRuntimeOptions {
  port?: number;
  dynamoPort?: number;
  /** use an already running DynamoDB Local / fauxqs (tests) instead of starting one */
  dynamoEndpoint?: string;
  sqsEndpoint?: string;
  stateDir?: string;
  inMemory?: boolean;
  tableName?: string;
  /** prefix of queue names (tests use a unique one per runtime) */
  queuePrefix?: string;
  /** override the work queue's visibility timeout (tests) */
  visibilityTimeoutSeconds?: number;
  seed?: boolean;
  seedHooks?: SeedHook[];
  /** run the queue consumers and schedules (default true) */
  background?: boolean;
  log?: (line: string) => void;
  fallback?: Fallback;
  /** the simulated Microsoft Graph's port (default: a free port); `false` runs none */
  graphSimPort?: number | false;
  /**
   * worker batches in flight at once, like the deployed event source's MaximumConcurrency (default:
   * WORKER_MAX_CONCURRENCY from the environment, else the wiring's WORKER_MAX_CONCURRENCY, 20)
   */
  workerMaxConcurrency?: number;
  /** how starts reach the work queue (DISPATCH_MODE; default: the environment's, else `direct`) */
  dispatchMode?: DispatchMode;
}

export interface LocalRuntime {
  url: string;
  port: number;
  dynamoEndpoint: string;
  sqsEndpoint: string;
  tableName: string;
  workQueueUrl: string;
  dlqUrl: string;
  /** the schedule queue the minute tick fans due schedules out to (issue 16) */
  scheduleQueueUrl: string;
  /** the simulated Microsoft Graph the seeded tenants point at */
  graphSim?: GraphSim;
  stop(): Promise<void>;
  /** components may register extra stop steps */
  onStop(fn: () => Promise<void> | void): void;
}

async function ensureTable(endpoint: string, name: string) {
  const client = makeDynamoClient(endpoint);
  try {
    await client.send(new DescribeTableCommand({ TableName: name }));
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException)) throw err;
    await client.send(new CreateTableCommand(createTableInput(name)));
    await client.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true } }));
  }
}

/** The local worker cap: the option, else WORKER_MAX_CONCURRENCY, else the wiring's default. */
export function localWorkerMaxConcurrency(option?: number, env: string | undefined = process.env.WORKER_MAX_CONCURRENCY): number {
  const n = option ?? (env ? Number(env) : WORKER_MAX_CONCURRENCY);
  if (!Number.isInteger(n) || n < MAX_CONCURRENCY_RANGE.min || n > MAX_CONCURRENCY_RANGE.max) {
    throw new Error(`WORKER_MAX_CONCURRENCY must be an integer from ${MAX_CONCURRENCY_RANGE.min} to ${MAX_CONCURRENCY_RANGE.max}, as for the deployed event source`);
  }
  return n;
}

const loadHandler = async (entry: string) => (await import(pathToFileURL(path.join(ROOT, entry)).href)).handler;

export async function startLocalRuntime(opts: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const log = opts.log ?? (() => undefined);
  const stops: Array<() => Promise<void> | void> = [];
  const runStops = async () => {
    for (const fn of stops.reverse()) {
      try { await fn(); } catch (err) { log(`stop step failed: ${(err as Error).message}`); }
    }
  };
  try {
    // DynamoDB Local
    let dynamoEndpoint = opts.dynamoEndpoint;
    // Tenants' Graph credentials (issue 19) live as long as the table that references them: in a file
    // next to DynamoDB Local's data, or in memory when the data is (LOCAL_IN_MEMORY=1, or a table of
    // an external DynamoDB Local — the tests').
    let secretsFile = '';
    if (!dynamoEndpoint) {
      const stateDir = path.resolve(ROOT, opts.stateDir ?? '.local');
      if (!opts.inMemory) secretsFile = path.join(stateDir, 'secrets.json');
      const dynamo: DynamoLocal = await startDynamoLocal({
        port: opts.dynamoPort,
        dataDir: opts.inMemory ? undefined : path.join(stateDir, 'dynamodb'),
        pidDir: stateDir,
      });
      stops.push(() => dynamo.stop());
      dynamoEndpoint = dynamo.endpoint;
    }
    const tableName = opts.tableName ?? 'operation-runs';
    await ensureTable(dynamoEndpoint, tableName);

    // SQS on fauxqs
    let sqsEndpoint = opts.sqsEndpoint;
    if (!sqsEndpoint) {
      const fq = await startFauxqs({ port: 0, logger: false } as never);
      stops.push(() => (fq as any).stop());
      sqsEndpoint = (fq as any).address as string;
    }

    // The handlers read their configuration from the environment, as in Lambda.
    Object.assign(process.env, {
      // Only the local runtime says so: the /dev handlers refuse to run anywhere else.
      LOCAL_RUNTIME: '1',
      // A fresh cursor key per start (cursors are short-lived); deployed, it is a Secrets Manager secret.
      CURSOR_SECRET: process.env.CURSOR_SECRET || randomBytes(32).toString('base64url'),
      DYNAMODB_ENDPOINT: dynamoEndpoint,
      SQS_ENDPOINT: sqsEndpoint,
      TABLE_NAME: tableName,
      METRICS_DISABLED: process.env.METRICS_DISABLED ?? '1',
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
      POWERTOOLS_TRACE_ENABLED: 'false',
      // Issue 19: the platform admins are named at deploy time; locally, alice (SPEC §5).
      PLATFORM_ADMINS: process.env.PLATFORM_ADMINS || 'alice',
      LOCAL_SECRETS_FILE: secretsFile,
      // outbox: the start request only writes; the stream relay (run-events.ts) enqueues the run.
      DISPATCH_MODE: opts.dispatchMode ?? (process.env.DISPATCH_MODE || 'direct'),
    });
    const sqs = makeSqsClient(sqsEndpoint);
    const prefix = opts.queuePrefix ?? '';
    const queueArn = async (url: string) => (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    /** a queue as the stack declares it from wiring: visibility timeout and redrive to its DLQ */
    const createQueue = async (name: string, redrive?: { visibilityTimeoutSeconds: number; deadLetterArn: string; maxReceiveCount: number }) => {
      const out = await sqs.send(new CreateQueueCommand({
        QueueName: `${prefix}${name}`,
        ...(redrive ? {
          Attributes: {
            VisibilityTimeout: String(redrive.visibilityTimeoutSeconds),
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: redrive.deadLetterArn, maxReceiveCount: redrive.maxReceiveCount }),
          },
        } : {}),
      }));
      return { url: out.QueueUrl!, arn: await queueArn(out.QueueUrl!) };
    };
    const dlq = await createQueue(queues.dlq.name);
    const work = await createQueue(queues.work.name, {
      visibilityTimeoutSeconds: opts.visibilityTimeoutSeconds ?? queues.work.visibilityTimeoutSeconds, deadLetterArn: dlq.arn, maxReceiveCount: queues.work.maxReceiveCount,
    });
    const scheduleDlq = await createQueue(queues.schedule.deadLetterQueueName);
    const scheduleQueue = await createQueue(queues.schedule.name, {
      visibilityTimeoutSeconds: opts.visibilityTimeoutSeconds ?? queues.schedule.visibilityTimeoutSeconds, deadLetterArn: scheduleDlq.arn, maxReceiveCount: queues.schedule.maxReceiveCount,
    });
    process.env.WORK_QUEUE_URL = work.url;
    process.env.DLQ_URL = dlq.url;
    process.env.SCHEDULE_QUEUE_URL = scheduleQueue.url;
    // The environment changed after the handlers' modules may have read it: parse it again.
    resetSettings();

    const doc = makeDocumentClient(makeDynamoClient(dynamoEndpoint));
    setApiDeps(makeApiDeps({ doc, table: tableName, queue: new SqsWorkQueue(sqs, work.url) }));
    stops.push(() => setApiDeps(undefined));
    setEventDeps(makeEventDeps({ stores: makeStores({ doc, table: tableName }) }));
    stops.push(() => setEventDeps(undefined));

    // The simulated Microsoft Graph; the seeded tenants' Graph settings point at it.
    let graphSim: GraphSim | undefined;
    const seedHooks = [...(opts.seedHooks ?? [])];
    if (opts.graphSimPort !== false) {
      const sim = await startGraphSim({ port: opts.graphSimPort ?? 0 });
      graphSim = sim;
      stops.push(() => sim.stop());
      // Tenants created through the API point at the simulated Graph (shared/http/tenants.ts).
      process.env.GRAPH_SIM_URL = sim.url;
      resetSettings();
      stops.push(() => { delete process.env.GRAPH_SIM_URL; resetSettings(); });
      seedHooks.unshift(async (ctx) => {
        const dir = new DirectoryStore(ctx.doc, ctx.table);
        for (const t of SEED_TENANTS) await dir.putTenant({ ...t, graph: seedGraphSettings(sim.url, t.id) });
      });
    }

    if (opts.seed !== false) await seedDemo({ doc, table: tableName }, opts.seedHooks ? seedHooks : [...seedHooks, seedBackupSchedules]);

    // Queue consumers and schedules, as Lambda event sources and EventBridge schedule rules would.
    if (opts.background !== false) {
      // ── run events (issue 6): table stream → publisher → in-process bus → rule targets ──
      const runEvents = await startLocalRunEvents({ root: ROOT, dynamoEndpoint, tableName, loadHandler, log });
      stops.push(() => runEvents.stop());
      // ── end run events ──
      const pollers = [
        // The caps of the deployed event sources (wiring maxConcurrency); the DLQ handler's has none.
        { def: queues.work, queue: work, maxConcurrency: localWorkerMaxConcurrency(opts.workerMaxConcurrency) },
        { def: queues.dlq, queue: dlq, maxConcurrency: 1 },
        { def: queues.schedule, queue: scheduleQueue, maxConcurrency: queues.schedule.maxConcurrency },
      ];
      for (const p of pollers) {
        if (!existsSync(path.join(ROOT, p.def.consumer))) continue;
        const handler = await loadHandler(p.def.consumer);
        const poller = startPoller({
          sqs, queueUrl: p.queue.url, queueArn: p.queue.arn, batchSize: p.def.batchSize, handler, maxConcurrency: p.maxConcurrency,
          context: () => lambdaContext(p.def.name, p.def.timeoutSeconds),
          onError: (err) => log(`${p.def.name} consumer: ${(err as Error).message}`),
        });
        stops.push(() => poller.stop());
      }
      for (const s of schedules) {
        if (!existsSync(path.join(ROOT, s.entry))) continue;
        const handler = await loadHandler(s.entry);
        const timer = setInterval(() => {
          const event = { version: '0', id: 'local', 'detail-type': 'Scheduled Event', source: 'aws.events', account: '000000000000', time: new Date().toISOString(), region: 'local', resources: [`local:rule/${s.name}`], detail: {} };
          Promise.resolve(handler(event, lambdaContext(s.name, s.timeoutSeconds ?? 60))).catch((err: Error) => log(`${s.name}: ${err.message}`));
        }, s.everyMinutes * 60_000);
        timer.unref();
        stops.push(() => clearInterval(timer));
      }
    }

    // The HTTP API (and whatever `fallback` serves, e.g. the console).
    const server = http.createServer(gatewayListener(compileRoutes(), { fallback: opts.fallback, log }));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
    });
    stops.push(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
    const port = (server.address() as import('node:net').AddressInfo).port;

    let stopped = false;
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      dynamoEndpoint,
      sqsEndpoint,
      tableName,
      workQueueUrl: work.url,
      dlqUrl: dlq.url,
      scheduleQueueUrl: scheduleQueue.url,
      graphSim,
      onStop: (fn) => { stops.push(fn); },
      async stop() {
        if (stopped) return;
        stopped = true;
        await runStops();
      },
    };
  } catch (err) {
    await runStops();
    throw err;
  }
}
