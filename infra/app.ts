/**
 * The CDK app (cdk.json: `node --import tsx infra/app.ts`). Settings come from CDK context
 * (cdk.json or `-c key=value`, see docs/DEPLOY.md); every synth runs cdk-nag's AWS Solutions
 * checks, and an unacknowledged finding fails it.
 */
import { App, type AppProps, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { OperationRunsStack } from './stack.js';
import { MAX_CONCURRENCY_RANGE, WORKER_MAX_CONCURRENCY } from '../shared/wiring.js';
import { DEFAULT_GRAPH_SECRET_ORPHAN_GRACE_MINUTES, DEFAULT_MAX_ACTIVE_RUNS_PER_TENANT, parsePlatformAdmins, parseSettings } from '../shared/settings.js';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const STACK_NAME = 'OperationRuns';

export function buildApp(appProps: AppProps = {}) {
  const app = new App(appProps);
  const ctx = (key: string): unknown => app.node.tryGetContext(key);
  const text = (key: string, fallback?: string): string => {
    const v = ctx(key);
    if (v === undefined || v === null || v === '') {
      if (fallback !== undefined) return fallback;
      throw new Error(`CDK context "${key}" is required (cdk.json or -c ${key}=…); see docs/DEPLOY.md`);
    }
    return String(v);
  };
  const num = (key: string, fallback: number): number => {
    const v = Number(ctx(key) ?? fallback);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`CDK context "${key}" must be a positive number`);
    return v;
  };

  const concurrency = (n: number) => {
    if (!Number.isInteger(n) || n < MAX_CONCURRENCY_RANGE.min || n > MAX_CONCURRENCY_RANGE.max) {
      throw new Error(`CDK context "workerMaxConcurrency" must be an integer from ${MAX_CONCURRENCY_RANGE.min} to ${MAX_CONCURRENCY_RANGE.max} (the SQS event source's MaximumConcurrency range)`);
    }
    return n;
  };

  const platformAdmins = (raw: string) => {
    const ids = parsePlatformAdmins(raw);
    const bad = ids.filter((id) => id.length > 200 || /\s/.test(id));
    if (bad.length) throw new Error(`CDK context "platformAdmins": ${bad.length} id(s) are not token subjects (no spaces, at most 200 characters)`);
    return ids;
  };

  /** A context value checked by the same rule the functions' settings apply to the variable it becomes. */
  const viaSettings = <T>(key: string, variable: string, raw: string, pick: (s: ReturnType<typeof parseSettings>) => T): T => {
    try {
      return pick(parseSettings({ CURSOR_SECRET: 'synth-time-check', [variable]: raw }));
    } catch (err) {
      throw new Error(`CDK context "${key}" is invalid: ${(err as Error).message}`);
    }
  };

  const jwtIssuer = text('jwtIssuer');
  // API Gateway accepts only an https issuer; failing here beats failing half-way through a deploy.
  if (!jwtIssuer.startsWith('https://')) throw new Error(`jwtIssuer must be an https URL, got ${jwtIssuer}`);
  const logRetentionDays = num('logRetentionDays', RetentionDays.ONE_MONTH);
  if (!Object.values(RetentionDays).includes(logRetentionDays)) throw new Error(`logRetentionDays ${logRetentionDays} is not a CloudWatch Logs retention`);

  // Every resource is named by CloudFormation after the stack, so a second stack in the same
  // account (staging next to production) needs only another stack name.
  const stack = new OperationRunsStack(app, text('stackName', STACK_NAME), {
    description: 'Operation Runs: one observable lifecycle for every background operation',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    jwtIssuer,
    // comma-separated, so Entra ID's client id and its Application ID URI can both be accepted
    jwtAudience: text('jwtAudience').split(',').map((a) => a.trim()).filter(Boolean),
    // OAuth scopes the deployed API requires (space- or comma-separated), e.g. api://operation-runs/Runs.ReadWrite
    jwtScopes: text('jwtScopes', '').split(/[\s,]+/).filter(Boolean),
    runRetentionDays: num('runRetentionDays', 90),
    logLevel: text('logLevel', 'INFO'),
    logRetention: logRetentionDays as RetentionDays,
    apiThrottle: { rateLimit: num('apiRateLimit', 50), burstLimit: num('apiBurstLimit', 100) },
    alarmEmail: text('alarmEmail', '') || undefined,
    // the hosted console's origin(s), comma-separated (docs/CONSOLE.md); none: no CORS
    consoleOrigins: text('consoleOrigins', '').split(',').map((o) => o.trim()).filter(Boolean),
    dataRemovalPolicy: text('dataRemovalPolicy', 'retain') === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    projectRoot: PROJECT_ROOT,
    workerMaxConcurrency: concurrency(num('workerMaxConcurrency', WORKER_MAX_CONCURRENCY)),
    // Issue 19: the platform admins (token `sub`s, comma-separated) who create and list tenants; the
    // first one is named here, at deploy time — nobody becomes one through the API (docs/DEPLOY.md).
    platformAdmins: platformAdmins(text('platformAdmins', '')),
    // The functions' MAX_ACTIVE_RUNS_PER_TENANT; checked by the same rule the functions' settings apply.
    maxActiveRunsPerTenant: viaSettings('maxActiveRunsPerTenant', 'MAX_ACTIVE_RUNS_PER_TENANT', String(num('maxActiveRunsPerTenant', DEFAULT_MAX_ACTIVE_RUNS_PER_TENANT)), (s) => s.quotas.maxActiveRunsPerTenant),
    // issue 18 item 3: `direct` (default) or `outbox` — how a start reaches the work queue (BENCHMARKS.md).
    dispatchMode: viaSettings('dispatchMode', 'DISPATCH_MODE', text('dispatchMode', 'direct'), (s) => s.dispatchMode),
    // Issue 19 follow-up: the orphan reconciler leaves credential secrets younger than this alone (minutes, 10–10080).
    graphSecretOrphanGraceMinutes: viaSettings('graphSecretOrphanGraceMinutes', 'GRAPH_SECRET_ORPHAN_GRACE_MINUTES', String(num('graphSecretOrphanGraceMinutes', DEFAULT_GRAPH_SECRET_ORPHAN_GRACE_MINUTES)), (s) => s.graphSecretOrphanGraceMinutes),
  });

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}

// Synthesize only when run as the CDK app, not when a test imports buildApp.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  buildApp().app.synth();
}
