/**
 * The one settings object: everything the functions read from their environment, parsed with zod
 * once per cold start (the first `settings()` call). An invalid value fails that cold start with a
 * message naming the variable. Nothing else in shared/ or functions/ reads `process.env`.
 *
 * In AWS the CDK stack sets these variables (infra/stack.ts); the local runtime sets the endpoints,
 * table and queue URLs (infra/local/runtime.ts) and then calls `resetSettings()`. Tests build a
 * settings object with `parseSettings({...})` and install it with `setSettings(...)`.
 *
 * Build-time tools keep their own inputs, on purpose: the CDK app (infra/app.ts) takes its settings
 * from CDK context and only reads CDK_DEFAULT_ACCOUNT/REGION, which the CDK CLI sets for it;
 * console/build.ts is a command-line tool whose CONSOLE_API_URL/OIDC_* describe the site it writes.
 * Neither runs in a function, so neither belongs to this object. infra/local/ (the local runtime)
 * writes the environment its handlers then read through here, as Lambda would.
 *
 * Derived values live here too, so they are computed in one place: the worker's lease comes from
 * the worker's Lambda timeout in the wiring, and test/unit/settings.test.ts checks it against the
 * work queue's visibility timeout.
 */
import * as z from './zod.js';
import { METRICS_NAMESPACE, SERVICE_NAME } from './observability/metric-names.js';
import { EVENT_BUS_NAME, WORKER_TIMEOUT_SECONDS } from './wiring.js';

// The AWS SDK warns on every client about Node 20's end of support; the product pins Node 20
// deliberately (TOOLCHAIN.md). Set before any client is built (clients.ts imports this module).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const DEFAULT_TABLE_NAME = 'operation-runs';
export const DEFAULT_RETENTION_DAYS = 90;
/** The region of the local endpoints (DynamoDB Local, fauxqs); in AWS the SDK reads AWS_REGION itself. */
const DEFAULT_LOCAL_REGION = 'us-east-1';

/**
 * How long a claim or checkpoint holds a run: one worker timeout. No invocation outlives its
 * timeout and every checkpoint renews the lease, so a live worker never loses it; a crashed one
 * frees the run one timeout after its last write — long before SQS redelivers the message (the
 * visibility timeout is 6 × the worker timeout), so a redelivery finds the lease expired.
 */
export const leaseMsFor = (workerTimeoutSeconds: number) => workerTimeoutSeconds * 1000;
export const WORKER_LEASE_MS = leaseMsFor(WORKER_TIMEOUT_SECONDS);

/**
 * Quotas (issue 16): one tenant must not take the account's capacity from the others.
 * - active runs per tenant: a start past it answers 429 (§5); counted exactly by a per-tenant counter
 *   item written in the start and completion transactions (shared/store/run-store.ts);
 * - backup schedules per tenant, and the shortest gap between two fire times of one schedule (400).
 */
export const DEFAULT_MAX_ACTIVE_RUNS_PER_TENANT = 50;
export const DEFAULT_MAX_SCHEDULES_PER_TENANT = 20;
export const DEFAULT_SCHEDULE_MIN_INTERVAL_MINUTES = 15;

/**
 * Issue 19: the Secrets Manager name prefix of tenants' Graph credentials. The API's grant to create
 * and replace secrets, and the worker's grant to read them, are scoped to `<prefix>*` (infra/).
 */
export const DEFAULT_GRAPH_SECRET_PREFIX = 'operation-runs/graph/';
/**
 * Issue 19 follow-up: the orphan reconciler deletes a credential secret no tenant names only once it
 * is older than this. It must outlast a request between its secret write and its table write (an
 * API function times out after 10 s) and ListSecrets' eventual consistency (five minutes): 10 at least.
 */
export const DEFAULT_GRAPH_SECRET_ORPHAN_GRACE_MINUTES = 60;

/** PLATFORM_ADMINS: comma-separated user ids (token `sub`s); blanks and duplicates are dropped. */
export const parsePlatformAdmins = (raw: string | undefined): string[] => [...new Set((raw ?? '').split(',').map((s) => s.trim()).filter(Boolean))];

/**
 * How a started run reaches the work queue (issue 18 item 3). `direct` (the default): the start's
 * request sends the message after its transaction, and answers 503 (§5) when the send fails.
 * `outbox`: the start is its transaction only; the table stream's consumer enqueues every newly
 * inserted queued run (shared/events/outbox-relay.ts) and fails it `dispatch_failed` when it cannot.
 */
export const DISPATCH_MODES = ['direct', 'outbox'] as const;
export type DispatchMode = (typeof DISPATCH_MODES)[number];

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const text = z.string().check(z.trim(), z.minLength(1));
const url = z.optional(z.url({ protocol: /^https?$/ }));
const logLevel = z.optional(z.pipe(z.string().check(z.trim(), z.toUpperCase()), z.enum(LOG_LEVELS)));

const envSchema = z.object({
  TABLE_NAME: z._default(text, DEFAULT_TABLE_NAME),
  WORK_QUEUE_URL: url,
  EVENT_BUS_NAME: z._default(text, EVENT_BUS_NAME),
  DYNAMODB_ENDPOINT: url,
  SQS_ENDPOINT: url,
  AWS_REGION: z._default(text, DEFAULT_LOCAL_REGION),
  RUN_RETENTION_DAYS: z._default(z.coerce.number().check(z.positive()), DEFAULT_RETENTION_DAYS),
  CURSOR_SECRET: z.optional(text),
  CURSOR_SECRET_ARN: z.optional(z.string().check(z.trim(), z.regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, 'must be a Secrets Manager secret ARN'))),
  LOCAL_RUNTIME: z.optional(z.enum(['0', '1'])),
  POWERTOOLS_SERVICE_NAME: z._default(text, SERVICE_NAME),
  POWERTOOLS_LOG_LEVEL: logLevel,
  LOG_LEVEL: logLevel,
  POWERTOOLS_METRICS_NAMESPACE: z._default(text, METRICS_NAMESPACE),
  METRICS_DISABLED: z.optional(z.enum(['0', '1', 'false', 'true'])),
  GRAPH_BATCHING: z.optional(z.enum(['0', '1', 'false', 'true'])),
  SCHEDULE_QUEUE_URL: url,
  MAX_ACTIVE_RUNS_PER_TENANT: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100_000)), DEFAULT_MAX_ACTIVE_RUNS_PER_TENANT),
  MAX_SCHEDULES_PER_TENANT: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(10_000)), DEFAULT_MAX_SCHEDULES_PER_TENANT),
  SCHEDULE_MIN_INTERVAL_MINUTES: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(1440)), DEFAULT_SCHEDULE_MIN_INTERVAL_MINUTES),
  PLATFORM_ADMINS: z.optional(z.string().check(z.trim(), z.maxLength(4000))),
  GRAPH_SECRET_PREFIX: z._default(z.string().check(z.trim(), z.regex(/^[A-Za-z0-9/_+=.@-]{1,200}$/, 'must be a Secrets Manager name prefix')), DEFAULT_GRAPH_SECRET_PREFIX),
  GRAPH_SECRET_ORPHAN_GRACE_MINUTES: z._default(z.coerce.number().check(z.int(), z.minimum(10), z.maximum(7 * 24 * 60)), DEFAULT_GRAPH_SECRET_ORPHAN_GRACE_MINUTES),
  LOCAL_SECRETS_FILE: z.optional(text),
  GRAPH_SIM_URL: url,
  DISPATCH_MODE: z._default(z.enum(DISPATCH_MODES), 'direct'),
});

export interface Settings {
  /** the DynamoDB table (TABLE_NAME) */
  tableName: string;
  /** the work queue (WORK_QUEUE_URL); unset where no function sends work — a send then fails loudly */
  workQueueUrl: string | undefined;
  /** the EventBridge bus run events go to (EVENT_BUS_NAME) */
  eventBusName: string;
  /** DynamoDB Local / fauxqs endpoints (local runtime and tests); unset in AWS */
  dynamodbEndpoint: string | undefined;
  sqsEndpoint: string | undefined;
  /** region used with the local endpoints (AWS_REGION) */
  region: string;
  /** runs expire (DynamoDB TTL) this many days after they are created (RUN_RETENTION_DAYS) */
  runRetentionDays: number;
  /**
   * The key that signs pagination cursors, given as a value (CURSOR_SECRET: the local runtime and
   * tests) or as the ARN of a generated Secrets Manager secret (CURSOR_SECRET_ARN: the deployed stack;
   * shared/store/cursor-key.ts loads it once per cold start). There is no constant fallback: a
   * process given neither fails its cold start.
   */
  cursorSecret: string | undefined;
  cursorSecretArn: string | undefined;
  /** set (LOCAL_RUNTIME=1) only by the local runtime (infra/local/runtime.ts), never in AWS: the /dev routes run only then */
  localRuntime: boolean;
  /** the schedule queue the tick fans due schedules out to (SCHEDULE_QUEUE_URL); unset where nothing sends to it */
  scheduleQueueUrl: string | undefined;
  /**
   * PLATFORM_ADMINS (issue 19): the users who create and list tenants, named at deploy time (CDK
   * context `platformAdmins`; the local runtime: `alice`). Nobody else can become one through the API.
   */
  platformAdmins: readonly string[];
  /** GRAPH_SECRET_PREFIX: where tenants' Graph credentials are created in Secrets Manager */
  graphSecretPrefix: string;
  /** GRAPH_SECRET_ORPHAN_GRACE_MINUTES: the orphan reconciler leaves younger secrets alone (default 60, 10–10080) */
  graphSecretOrphanGraceMinutes: number;
  /** LOCAL_SECRETS_FILE (local runtime only): the local secret store's file; unset → kept in memory */
  localSecretsFile: string | undefined;
  /** GRAPH_SIM_URL (local runtime only): tenants created through the API point at this simulated Graph */
  graphSimUrl: string | undefined;
  /** DISPATCH_MODE: `direct` (default) or `outbox` — see DISPATCH_MODES */
  dispatchMode: DispatchMode;
  quotas: {
    /** MAX_ACTIVE_RUNS_PER_TENANT: queued + running runs one tenant may hold (default 50) */
    maxActiveRunsPerTenant: number;
    /** MAX_SCHEDULES_PER_TENANT: backup schedules one tenant may have (default 20) */
    maxSchedulesPerTenant: number;
    /** SCHEDULE_MIN_INTERVAL_MINUTES: shortest gap between two fire times of one schedule (default 15) */
    scheduleMinIntervalMinutes: number;
  };
  graph: {
    /** GRAPH_BATCHING=0 reads policies one request each instead of through Graph's $batch (default on; the bench's "before") */
    batching: boolean;
  };
  worker: {
    /** the worker's Lambda timeout (from the wiring) */
    timeoutSeconds: number;
    /** derived: see leaseMsFor */
    leaseMs: number;
  };
  observability: {
    serviceName: string;
    /** POWERTOOLS_LOG_LEVEL, else LOG_LEVEL, else INFO */
    logLevel: LogLevel;
    metricsNamespace: string;
    /** METRICS_DISABLED=1 (tests, local runtime) */
    metricsEnabled: boolean;
  };
}

export class InvalidSettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid settings in the environment: ${problems.join('; ')}`);
    this.name = 'InvalidSettingsError';
  }
}

/** Parses an environment (process.env or a plain object in tests); throws InvalidSettingsError. */
export function parseSettings(env: Record<string, string | undefined>): Settings {
  // Only our variables, and an empty one counts as unset (takes the default).
  const ours = Object.fromEntries(Object.keys(envSchema.shape).flatMap((k) => (env[k] === undefined || env[k] === '' ? [] : [[k, env[k]]])));
  const parsed = envSchema.safeParse(ours);
  if (!parsed.success) {
    // Name the variable and the rule, never the value: a secret may be among them.
    throw new InvalidSettingsError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  if (!e.CURSOR_SECRET && !e.CURSOR_SECRET_ARN) {
    throw new InvalidSettingsError(['CURSOR_SECRET_ARN: required (the cursor signing key; the local runtime sets CURSOR_SECRET instead)']);
  }
  return {
    tableName: e.TABLE_NAME,
    workQueueUrl: e.WORK_QUEUE_URL,
    eventBusName: e.EVENT_BUS_NAME,
    dynamodbEndpoint: e.DYNAMODB_ENDPOINT,
    sqsEndpoint: e.SQS_ENDPOINT,
    region: e.AWS_REGION,
    runRetentionDays: e.RUN_RETENTION_DAYS,
    cursorSecret: e.CURSOR_SECRET,
    cursorSecretArn: e.CURSOR_SECRET_ARN,
    localRuntime: e.LOCAL_RUNTIME === '1',
    scheduleQueueUrl: e.SCHEDULE_QUEUE_URL,
    platformAdmins: parsePlatformAdmins(e.PLATFORM_ADMINS),
    graphSecretPrefix: e.GRAPH_SECRET_PREFIX,
    graphSecretOrphanGraceMinutes: e.GRAPH_SECRET_ORPHAN_GRACE_MINUTES,
    localSecretsFile: e.LOCAL_SECRETS_FILE,
    graphSimUrl: e.GRAPH_SIM_URL,
    dispatchMode: e.DISPATCH_MODE,
    quotas: {
      maxActiveRunsPerTenant: e.MAX_ACTIVE_RUNS_PER_TENANT,
      maxSchedulesPerTenant: e.MAX_SCHEDULES_PER_TENANT,
      scheduleMinIntervalMinutes: e.SCHEDULE_MIN_INTERVAL_MINUTES,
    },
    graph: { batching: e.GRAPH_BATCHING !== '0' && e.GRAPH_BATCHING !== 'false' },
    worker: { timeoutSeconds: WORKER_TIMEOUT_SECONDS, leaseMs: WORKER_LEASE_MS },
    observability: {
      serviceName: e.POWERTOOLS_SERVICE_NAME,
      logLevel: e.POWERTOOLS_LOG_LEVEL ?? e.LOG_LEVEL ?? 'INFO',
      metricsNamespace: e.POWERTOOLS_METRICS_NAMESPACE,
      metricsEnabled: e.METRICS_DISABLED !== '1' && e.METRICS_DISABLED !== 'true',
    },
  };
}

let current: Settings | undefined;

/** This process's settings, parsed from the environment on first use (the cold start). */
export function settings(): Settings {
  return (current ??= parseSettings(process.env));
}

/** Installs settings built by a test (or, with no argument, re-reads the environment on next use). */
export function setSettings(next: Settings | undefined): void {
  current = next;
}

/** The environment changed (the local runtime set its endpoints): parse it again on next use. */
export function resetSettings(): void {
  current = undefined;
}
