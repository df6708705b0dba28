/**
 * The Operation Runs stack: it only composes the constructs in infra/constructs and hands each the
 * resources it needs. What is wired to what comes from shared/wiring.ts.
 */
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../shared/observability/metric-names.js';
import { DEFAULT_GRAPH_SECRET_ORPHAN_GRACE_MINUTES, DEFAULT_MAX_ACTIVE_RUNS_PER_TENANT, type DispatchMode } from '../shared/settings.js';
import { schedules, SECRET_RECONCILER_SCHEDULE } from '../shared/wiring.js';
import { Api } from './constructs/api.js';
import { Data } from './constructs/data.js';
import { deployedRoutes } from './constructs/deployed-functions.js';
import { Events } from './constructs/events.js';
import { Messaging } from './constructs/messaging.js';
import { Observability } from './constructs/observability.js';
import type { FunctionResources } from './constructs/operation-function.js';
import { Schedules } from './constructs/schedules.js';
import { Workers } from './constructs/workers.js';

const START_RUN_PATH = '/tenants/{tenantId}/runs';

export interface OperationRunsStackProps extends StackProps {
  jwtIssuer: string;
  jwtAudience: string[];
  /** OAuth scopes every authenticated route requires (docs/DEPLOY.md); empty: none */
  jwtScopes?: string[];
  runRetentionDays: number;
  logLevel: string;
  logRetention: RetentionDays;
  apiThrottle: { rateLimit: number; burstLimit: number };
  alarmEmail?: string;
  /** origins allowed to call the API from a browser (the hosted console); empty: no CORS */
  consoleOrigins?: string[];
  /** RETAIN unless told otherwise: the table holds every tenant's history */
  dataRemovalPolicy?: RemovalPolicy;
  /** the worker event source's maximum concurrency (default: wiring WORKER_MAX_CONCURRENCY) */
  workerMaxConcurrency?: number;
  /** MAX_ACTIVE_RUNS_PER_TENANT of every function (default: the settings' default, 50) */
  maxActiveRunsPerTenant?: number;
  /** DISPATCH_MODE of every function (default `direct`); `outbox` lets the stream publisher send work */
  dispatchMode?: DispatchMode;
  /** GRAPH_SECRET_ORPHAN_GRACE_MINUTES of the orphan reconciler (default: the settings' default, 60) */
  graphSecretOrphanGraceMinutes?: number;
  /** absolute project root: wiring entries are relative to it, and esbuild runs in it */
  projectRoot: string;
  /** issue 19: the platform admins' user ids (CDK context `platformAdmins`), given to the API functions */
  platformAdmins?: string[];
}

export class OperationRunsStack extends Stack {
  readonly data: Data;
  readonly messaging: Messaging;
  readonly api: Api;
  readonly workers: Workers;
  readonly events: Events;
  readonly schedules: Schedules;
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props: OperationRunsStackProps) {
    super(scope, id, props);

    this.data = new Data(this, 'Data', { removalPolicy: props.dataRemovalPolicy ?? RemovalPolicy.RETAIN });
    this.messaging = new Messaging(this, 'Messaging');

    const resources: FunctionResources = {
      table: this.data.table,
      workQueue: this.messaging.workQueue,
      scheduleQueue: this.messaging.scheduleQueue,
      bus: this.messaging.bus,
      graphSecret: this.data.graphSecret,
      cursorSecret: this.data.cursorSecret,
      // Tenants' Graph credentials (issue 19): one secret each, under this stack's prefix.
      graphSecretPrefix: `operation-runs/graph/${this.stackName}/`,
      graphSecretOrphanGraceMinutes: props.graphSecretOrphanGraceMinutes ?? DEFAULT_GRAPH_SECRET_ORPHAN_GRACE_MINUTES,
      environment: {
        TABLE_NAME: this.data.table.tableName,
        WORK_QUEUE_URL: this.messaging.workQueue.queueUrl,
        EVENT_BUS_NAME: this.messaging.bus.eventBusName,
        RUN_RETENTION_DAYS: String(props.runRetentionDays),
        // The quota every start checks (issue 16); CDK context maxActiveRunsPerTenant (infra/app.ts).
        MAX_ACTIVE_RUNS_PER_TENANT: String(props.maxActiveRunsPerTenant ?? DEFAULT_MAX_ACTIVE_RUNS_PER_TENANT),
        DISPATCH_MODE: props.dispatchMode ?? 'direct',
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        // Signs pagination cursors: a generated secret, only its ARN here (settings fail a cold start
        // given neither a key nor its ARN; functions with table access may read it).
        CURSOR_SECRET_ARN: this.data.cursorSecret.secretArn,
      },
      logRetention: props.logRetention,
      projectRoot: props.projectRoot,
    };

    this.workers = new Workers(this, 'Workers', { resources, workQueue: this.messaging.workQueue, workDlq: this.messaging.workDlq, workerMaxConcurrency: props.workerMaxConcurrency });
    this.events = new Events(this, 'Events', {
      resources,
      table: this.data.table,
      bus: this.messaging.bus,
      streamFailures: this.messaging.streamFailures,
      ruleTargetFailures: this.messaging.ruleTargetFailures,
      ruleTargetDlq: this.messaging.ruleTargetDlq,
      dispatchMode: props.dispatchMode ?? 'direct',
    });
    this.schedules = new Schedules(this, 'Schedules', { resources, scheduleQueue: this.messaging.scheduleQueue });
    this.api = new Api(this, 'Api', {
      resources,
      jwtIssuer: props.jwtIssuer,
      jwtAudience: props.jwtAudience,
      jwtScopes: props.jwtScopes ?? [],
      throttle: props.apiThrottle,
      logRetention: props.logRetention,
      corsOrigins: props.consoleOrigins ?? [],
      platformAdmins: props.platformAdmins ?? [],
    });

    // The start route's p99 is SC-002's target (§1.1). Creating a tenant and rotating its credential
    // enqueue work too (their connection check), but they are rare administrative calls.
    const startRoute = deployedRoutes().find((r) => r.method === 'POST' && r.path === START_RUN_PATH);
    if (!startRoute?.access.sendWork) throw new Error(`expected the deployed start route POST ${START_RUN_PATH} with sendWork`);
    const startRun = this.api.routeFunctions[`${startRoute.method} ${startRoute.path}`];

    // The orphan reconciler's own alarms (failed secrets, its Errors) evaluate at its rate.
    const reconcilerSchedule = schedules.find((s) => s.name === SECRET_RECONCILER_SCHEDULE);
    const secretReconciler = this.schedules.functions[SECRET_RECONCILER_SCHEDULE];
    if (!reconcilerSchedule || !secretReconciler) throw new Error(`expected the wiring schedule ${SECRET_RECONCILER_SCHEDULE} and its function`);

    this.observability = new Observability(this, 'Observability', {
      workQueue: this.messaging.workQueue,
      workDlq: this.messaging.workDlq,
      scheduleDlq: this.messaging.scheduleDlq,
      streamFailures: this.messaging.streamFailures,
      ruleTargetFailures: this.messaging.ruleTargetFailures,
      ruleTargetDlq: this.messaging.ruleTargetDlq,
      worker: this.workers.worker,
      streamPublisher: this.events.publisher,
      ruleTargets: this.events.ruleTargets,
      startRun,
      secretReconciler: { function: secretReconciler, everyMinutes: reconcilerSchedule.everyMinutes },
      httpApi: this.api.httpApi,
      functions: [
        ...Object.values(this.api.routeFunctions),
        this.workers.worker,
        this.workers.dlqHandler,
        this.events.publisher,
        ...this.events.ruleTargets,
        ...Object.values(this.schedules.functions),
        this.schedules.starter,
      ],
      alarmEmail: props.alarmEmail,
    });

    // What an operator needs after `cdk deploy` (docs/DEPLOY.md walks through each).
    new CfnOutput(this, 'ApiUrl', { value: this.api.httpApi.apiEndpoint });
    new CfnOutput(this, 'TableName', { value: this.data.table.tableName });
    new CfnOutput(this, 'GraphCredentialsSecretArn', { value: this.data.graphSecret.secretArn });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.observability.alarmTopic.topicArn });
    new CfnOutput(this, 'DashboardName', { value: this.observability.dashboard.dashboardName });
  }
}
