/**
 * The one declaration of how the product is wired (SPEC §10): routes → handlers, queues → consumers,
 * event rules → targets, schedules → targets. The CDK stack (infra/) and the local runtime
 * (infra/local/) both read it, so the two cannot drift.
 *
 * `access` says what each function may touch; the CDK stack turns it into least-privilege grants.
 */

export type TableAccess = 'none' | 'read' | 'readwrite';

export interface FunctionAccess {
  table: TableAccess;
  /** may send to the work queue (starts or continues runs) */
  sendWork?: boolean;
  /** may send to the schedule queue (the tick fans due schedules out to it) */
  sendSchedules?: boolean;
  /** may call Microsoft Graph (reads the Graph secrets) */
  graph?: boolean;
  /** may create and replace tenants' Graph credentials in Secrets Manager (under GRAPH_SECRET_PREFIX) */
  writeGraphSecrets?: boolean;
  /**
   * may schedule the deletion of tenants' Graph credentials no tenant names (under GRAPH_SECRET_PREFIX):
   * the secret sweeper, the orphan reconciler, and the tenant routes (a secret their refused request wrote)
   */
  deleteGraphSecrets?: boolean;
  /** may list secrets (ListSecrets; metadata only, never values): the orphan reconciler, which lists GRAPH_SECRET_PREFIX */
  listGraphSecrets?: boolean;
  /** may publish to the event bus */
  publishEvents?: boolean;
}

export interface RouteDef {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway style path, e.g. /tenants/{tenantId}/runs/{runId} */
  path: string;
  /** the Lambda entry file, relative to the project root; it exports `handler` */
  entry: string;
  /** false: no token needed (health, openapi) */
  auth: boolean;
  access: FunctionAccess;
  /** local-only routes (never deployed) */
  localOnly?: boolean;
  memoryMb?: number;
  timeoutSeconds?: number;
}

const read: FunctionAccess = { table: 'read' };
const write: FunctionAccess = { table: 'readwrite' };
const start: FunctionAccess = { table: 'readwrite', sendWork: true };
/**
 * creates or rotates a tenant's Graph credential, then starts its connection check; deletes the
 * secret it wrote when the request is refused after all (shared/tenants/credential-secrets.ts)
 */
const connect: FunctionAccess = { table: 'readwrite', sendWork: true, writeGraphSecrets: true, deleteGraphSecrets: true };

export const routes: RouteDef[] = [
  { method: 'GET', path: '/health', entry: 'functions/api/health.ts', auth: false, access: { table: 'none' } },
  { method: 'GET', path: '/openapi.json', entry: 'functions/api/openapi.ts', auth: false, access: { table: 'none' } },
  // GET /me writes: it is where a sign-in turns the caller's pending invitations into memberships (issue 19).
  { method: 'GET', path: '/me', entry: 'functions/api/get-me.ts', auth: true, access: write },
  { method: 'GET', path: '/operation-types', entry: 'functions/api/list-operation-types.ts', auth: true, access: { table: 'none' } },
  { method: 'POST', path: '/tenants/{tenantId}/runs', entry: 'functions/api/start-run.ts', auth: true, access: start },
  { method: 'GET', path: '/tenants/{tenantId}/runs', entry: 'functions/api/list-runs.ts', auth: true, access: read },
  { method: 'GET', path: '/tenants/{tenantId}/runs/{runId}', entry: 'functions/api/get-run.ts', auth: true, access: read },
  { method: 'GET', path: '/tenants/{tenantId}/runs/{runId}/timeline', entry: 'functions/api/get-run-timeline.ts', auth: true, access: read },
  { method: 'POST', path: '/tenants/{tenantId}/runs/{runId}/cancel', entry: 'functions/api/cancel-run.ts', auth: true, access: write },
  { method: 'GET', path: '/me/notifications', entry: 'functions/api/list-notifications.ts', auth: true, access: read },
  { method: 'GET', path: '/me/fleet', entry: 'functions/api/get-fleet.ts', auth: true, access: read },
  { method: 'POST', path: '/me/notifications/{notificationId}/read', entry: 'functions/api/read-notification.ts', auth: true, access: write },
  { method: 'GET', path: '/tenants/{tenantId}/inventory', entry: 'functions/api/list-inventory.ts', auth: true, access: read },
  { method: 'GET', path: '/tenants/{tenantId}/policies', entry: 'functions/api/list-policies.ts', auth: true, access: read },
  { method: 'GET', path: '/tenants/{tenantId}/policies/{policyId}', entry: 'functions/api/get-policy.ts', auth: true, access: read },
  { method: 'GET', path: '/tenants/{tenantId}/groups', entry: 'functions/api/list-groups.ts', auth: true, access: read },
  { method: 'GET', path: '/tenants/{tenantId}/drift-findings', entry: 'functions/api/list-drift-findings.ts', auth: true, access: read },
  { method: 'GET', path: '/tenants/{tenantId}/backup-sets', entry: 'functions/api/list-backup-sets.ts', auth: true, access: read },
  { method: 'POST', path: '/tenants/{tenantId}/backup-sets', entry: 'functions/api/create-backup-set.ts', auth: true, access: write },
  { method: 'GET', path: '/tenants/{tenantId}/backup-sets/{backupSetId}', entry: 'functions/api/get-backup-set.ts', auth: true, access: read },
  { method: 'GET', path: '/tenants/{tenantId}/backup-sets/{backupSetId}/items/{policyId}', entry: 'functions/api/get-backup-item.ts', auth: true, access: read },
  { method: 'GET', path: '/tenants/{tenantId}/backup-schedules', entry: 'functions/api/list-backup-schedules.ts', auth: true, access: read },
  { method: 'POST', path: '/tenants/{tenantId}/backup-schedules', entry: 'functions/api/create-backup-schedule.ts', auth: true, access: write },
  { method: 'GET', path: '/tenants/{tenantId}/backup-schedules/{scheduleId}', entry: 'functions/api/get-backup-schedule.ts', auth: true, access: read },
  { method: 'PATCH', path: '/tenants/{tenantId}/backup-schedules/{scheduleId}', entry: 'functions/api/update-backup-schedule.ts', auth: true, access: write },
  { method: 'DELETE', path: '/tenants/{tenantId}/backup-schedules/{scheduleId}', entry: 'functions/api/delete-backup-schedule.ts', auth: true, access: write },
  { method: 'GET', path: '/tenants/{tenantId}/restores/{restoreId}', entry: 'functions/api/get-restore.ts', auth: true, access: read },
  { method: 'GET', path: '/tenants/{tenantId}/members', entry: 'functions/api/list-members.ts', auth: true, access: read },
  { method: 'PUT', path: '/tenants/{tenantId}/members/{userId}', entry: 'functions/api/put-member.ts', auth: true, access: write },
  { method: 'DELETE', path: '/tenants/{tenantId}/members/{userId}', entry: 'functions/api/delete-member.ts', auth: true, access: write },
  { method: 'GET', path: '/tenants/{tenantId}/invitations', entry: 'functions/api/list-invitations.ts', auth: true, access: read },
  { method: 'POST', path: '/tenants/{tenantId}/invitations', entry: 'functions/api/create-invitation.ts', auth: true, access: write },
  { method: 'DELETE', path: '/tenants/{tenantId}/invitations/{invitationId}', entry: 'functions/api/delete-invitation.ts', auth: true, access: write },
  { method: 'GET', path: '/tenants/{tenantId}/audit', entry: 'functions/api/list-audit.ts', auth: true, access: read },
  { method: 'GET', path: '/tenants/{tenantId}/directory/group-search', entry: 'functions/api/search-directory-groups.ts', auth: true, access: { table: 'read' } },
  // Tenants and their Graph connection (issue 19).
  { method: 'POST', path: '/tenants', entry: 'functions/api/create-tenant.ts', auth: true, access: connect },
  { method: 'GET', path: '/tenants', entry: 'functions/api/list-tenants.ts', auth: true, access: read },
  { method: 'PUT', path: '/tenants/{tenantId}/graph-credential', entry: 'functions/api/rotate-graph-credential.ts', auth: true, access: connect },
  // Local only (§10): never deployed.
  { method: 'POST', path: '/dev/login', entry: 'infra/local/dev-login.ts', auth: false, access: read, localOnly: true },
  { method: 'POST', path: '/dev/schedules/tick', entry: 'infra/local/dev-tick.ts', auth: false, access: start, localOnly: true },
];

export const WORKER_TIMEOUT_SECONDS = 120;

/**
 * The most worker invocations the work queue's event source runs at once (issue 16): one tenant's
 * burst can then take at most this much of the account's Lambda concurrency (1,000 by default),
 * leaving the rest to the API and the other functions. CDK context `workerMaxConcurrency` overrides
 * it (infra/app.ts); AWS accepts 2–1000 ("MaximumConcurrency … Minimum: 2, Maximum: 1000",
 * AWS::Lambda::EventSourceMapping ScalingConfig, CloudFormation reference; Lambda's SQS scaling
 * guide: it "limits the number of concurrent instances of the function that an Amazon SQS event
 * source can invoke"). The local runtime's poller honours the same cap (infra/local/sqs-poller.ts).
 */
export const WORKER_MAX_CONCURRENCY = 20;
export const MAX_CONCURRENCY_RANGE = { min: 2, max: 1000 } as const;

/**
 * The schedule starter (issue 16): one SQS message per due schedule, claimed and started here.
 * One message costs a schedule read, the claim (one conditional update), the start plan's reads, the
 * start transaction, one work message and the lastRunId update: ~50–100 ms against DynamoDB and SQS,
 * so a batch of 10 takes about 1 s. 30 s leaves room for SDK retries on throttling; its visibility
 * timeout is 6 × that, as for the work queue. 10 starters at once start ~100 schedules a second, so
 * 1,000 due schedules of one minute are started within ~10–20 s, and the starters can never take
 * more than 10 of the account's Lambda concurrency.
 */
export const SCHEDULE_STARTER_TIMEOUT_SECONDS = 30;
export const SCHEDULE_STARTER_MAX_CONCURRENCY = 10;

export const queues = {
  work: {
    name: 'operation-runs-work',
    consumer: 'functions/workers/run-worker.ts',
    batchSize: 5,
    /** ≥ 6 × the worker timeout, as AWS recommends for SQS event sources */
    visibilityTimeoutSeconds: 6 * WORKER_TIMEOUT_SECONDS,
    maxReceiveCount: 3,
    access: { table: 'readwrite', sendWork: true, graph: true } satisfies FunctionAccess,
    timeoutSeconds: WORKER_TIMEOUT_SECONDS,
    memoryMb: 1024,
    maxConcurrency: WORKER_MAX_CONCURRENCY,
  },
  dlq: {
    name: 'operation-runs-work-dlq',
    consumer: 'functions/workers/dlq-handler.ts',
    batchSize: 10,
    access: { table: 'readwrite' } satisfies FunctionAccess,
    timeoutSeconds: 30,
    memoryMb: 256,
  },
  /**
   * Due schedules the tick found (issue 16): `{ tenantId, scheduleId, scheduledFor }`, consumed by
   * the schedule starter with partial batch failures. A duplicate message is harmless: the starter
   * claims the due time first (conditional on nextRunAt), and only the claim's winner starts a run.
   */
  schedule: {
    name: 'operation-runs-schedule',
    consumer: 'functions/schedules/schedule-starter.ts',
    batchSize: 10,
    visibilityTimeoutSeconds: 6 * SCHEDULE_STARTER_TIMEOUT_SECONDS,
    maxReceiveCount: 3,
    /**
     * Its dead-letter queue has no consumer: an operator inspects it (alarmed on arrival, runbook in
     * docs/DEPLOY.md). A message lands there only after failing 3 times before its claim (the table
     * unreachable): that schedule is still due, so the next tick sends it again anyway.
     */
    deadLetterQueueName: 'operation-runs-schedule-dlq',
    access: { table: 'readwrite', sendWork: true } satisfies FunctionAccess,
    timeoutSeconds: SCHEDULE_STARTER_TIMEOUT_SECONDS,
    memoryMb: 512,
    maxConcurrency: SCHEDULE_STARTER_MAX_CONCURRENCY,
  },
} as const;

/** The bus the stack creates; functions read the deployed name from settings().eventBusName. */
export const EVENT_BUS_NAME = 'operation-runs';
export const EVENT_SOURCE = 'operation-runs';
/** The audit trail's event (issue 19): one per audit entry, detail = the sanitized entry. */
export const AUDIT_DETAIL_TYPE = 'Audit Entry Recorded';
export const DETAIL_TYPES = {
  queued: 'OperationRun Queued',
  started: 'OperationRun Started',
  completed: 'OperationRun Completed',
} as const;

/** The table stream's consumer: turns committed run transitions into events (§6). */
export const streamPublisher = {
  entry: 'functions/events/stream-publisher.ts',
  access: { table: 'none', publishEvents: true } satisfies FunctionAccess,
  /**
   * With DISPATCH_MODE=outbox (CDK context `dispatchMode`) it is also the outbox relay: it sends
   * the work of newly inserted queued runs, and fails a run it cannot enqueue (dispatch_failed).
   */
  outboxAccess: { table: 'readwrite', publishEvents: true, sendWork: true } satisfies FunctionAccess,
  batchSize: 100,
  timeoutSeconds: 30,
  memoryMb: 256,
};

/**
 * The table stream's second consumer (issue 19 follow-up): tenant profile changes → deletion of the
 * Graph credential secrets they superseded (shared/tenants/secret-sweeper.ts). Its own consumer, so
 * a failing deletion is retried without holding back run events, and only it may delete secrets.
 */
export const secretSweeper = {
  entry: 'functions/events/secret-sweeper.ts',
  access: { table: 'read', deleteGraphSecrets: true } satisfies FunctionAccess,
  /** profile changes are rare (a rotation, a connection check's result); a few deletions a batch */
  batchSize: 10,
  timeoutSeconds: 30,
  memoryMb: 256,
};

export interface RuleDef {
  name: string;
  /** an EventBridge event pattern; the local bus evaluates the same pattern */
  pattern: { source: string[]; 'detail-type': string[] };
  entry: string;
  access: FunctionAccess;
  timeoutSeconds?: number;
}

export const rules: RuleDef[] = [
  {
    name: 'notify-initiator',
    pattern: { source: [EVENT_SOURCE], 'detail-type': [DETAIL_TYPES.queued, DETAIL_TYPES.completed] },
    entry: 'functions/events/notifier.ts',
    access: { table: 'readwrite' },
  },
];

export interface ScheduleDef {
  name: string;
  /** rate in minutes (EventBridge `rate(n minutes)`) */
  everyMinutes: number;
  entry: string;
  access: FunctionAccess;
  timeoutSeconds?: number;
}

/**
 * Timeouts (issue 16), each below its rate so one invocation ends before the next begins:
 * - the tick only finds due schedules and fans each out to the schedule queue (the starter claims
 *   and starts it): one page of 100 due schedules is one Query on the due index plus 10
 *   SendMessageBatch calls sent together, ~50–150 ms, so one tick pages through 10,000+ due
 *   schedules a second. It stops paging TICK_SAFETY_MARGIN_MS before its timeout: 30 s is ~200,000
 *   due schedules, far above 20 schedules × any tenant count we expect. Whatever a tick leaves is
 *   still due (only the starter moves nextRunAt), so the next minute's tick finds it again —
 *   nothing is lost, a start is late.
 * - the reaper reads the byActive index page by page and fails each stale run with one transaction
 *   (~20 ms): 240 s covers ~10,000 stale runs a round and stays inside its 5-minute rate; what it
 *   leaves, the next round finds.
 */
export const TICK_TIMEOUT_SECONDS = 30;
/** the tick stops paging this long before its timeout (the last page's sends must finish) */
export const TICK_SAFETY_MARGIN_MS = 5_000;
export const REAPER_TIMEOUT_SECONDS = 240;
/**
 * The orphan reconciler (issue 19 follow-up) lists the credential secrets 100 a page (ListSecrets,
 * ~100 ms) and reads one tenant profile per secret past its grace period (~10 ms), deleting the
 * orphans (~50 ms each): 120 s covers thousands of tenants. It stops RECONCILER_SAFETY_MARGIN_MS
 * before its timeout; what it leaves, the next hour's run finds.
 */
export const RECONCILER_TIMEOUT_SECONDS = 120;
export const RECONCILER_SAFETY_MARGIN_MS = 10_000;

/** the orphan reconciler's schedule name: the stack hands its function to the alarms by it */
export const SECRET_RECONCILER_SCHEDULE = 'secret-reconciler';

export const schedules: ScheduleDef[] = [
  { name: 'backup-schedule-tick', everyMinutes: 1, entry: 'functions/schedules/backup-tick.ts', access: { table: 'read', sendSchedules: true }, timeoutSeconds: TICK_TIMEOUT_SECONDS },
  { name: 'reaper', everyMinutes: 5, entry: 'functions/schedules/reaper.ts', access: { table: 'readwrite' }, timeoutSeconds: REAPER_TIMEOUT_SECONDS },
  // Its own function, not the reaper's: only it lists secrets, and no run-reaping code gets Secrets Manager grants.
  {
    name: SECRET_RECONCILER_SCHEDULE, everyMinutes: 60, entry: 'functions/schedules/secret-reconciler.ts',
    access: { table: 'read', listGraphSecrets: true, deleteGraphSecrets: true }, timeoutSeconds: RECONCILER_TIMEOUT_SECONDS,
  },
];
