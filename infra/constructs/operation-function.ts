/**
 * One product Lambda: a NodejsFunction bundled by the local esbuild, its own log group with a
 * retention, its own role, and exactly the grants its wiring `access` asks for (SPEC §9).
 */
import { type CfnElement, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { join } from 'node:path';
import type { FunctionAccess } from '../../shared/wiring.js';
import * as bundlingOptions from './bundling-options.js';
import type { DeployedFunction } from './deployed-functions.js';

/** What every product function may be granted, and the settings they share. */
export interface FunctionResources {
  table: ITable;
  workQueue: IQueue;
  /** the schedule queue the tick sends due schedules to (issue 16) */
  scheduleQueue: IQueue;
  bus: IEventBus;
  graphSecret: ISecret;
  /** the cursor signing key; read by every function that pages through the table */
  cursorSecret: ISecret;
  /** issue 19: the Secrets Manager name prefix of tenants' Graph credentials (GRAPH_SECRET_PREFIX) */
  graphSecretPrefix: string;
  /** issue 19 follow-up: the orphan reconciler's grace period (GRAPH_SECRET_ORPHAN_GRACE_MINUTES) */
  graphSecretOrphanGraceMinutes: number;
  /** environment every function gets (TABLE_NAME, WORK_QUEUE_URL, POWERTOOLS_*, …) */
  environment: Record<string, string>;
  logRetention: RetentionDays;
  /** absolute project root: wiring entries are relative to it; esbuild's working directory */
  projectRoot: string;
}

export interface OperationFunctionProps {
  definition: DeployedFunction;
  resources: FunctionResources;
  /** a line for the console and the dashboard, e.g. the route it serves */
  purpose: string;
  /** why this function's role needs further `Resource: *` actions (its trigger's grants) */
  moreWildcardReasons?: string[];
  /** variables only this function gets (the API's PLATFORM_ADMINS) */
  environment?: Record<string, string>;
}

/** Defaults for functions whose wiring names no size: API handlers answer in well under 2 s (§1). */
const DEFAULT_MEMORY_MB = 512;
const DEFAULT_TIMEOUT_SECONDS = 10;

export class OperationFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly access: FunctionAccess;
  readonly entry: string;

  constructor(scope: Construct, id: string, props: OperationFunctionProps) {
    super(scope, id);
    const { definition: def, resources: r } = props;
    this.access = def.access;
    this.entry = def.entry;

    const logGroup = new LogGroup(this, 'Logs', { retention: r.logRetention });
    // An explicit role instead of the default one: the default attaches the AWS-managed
    // AWSLambdaBasicExecutionRole (logs:CreateLogGroup on *), but the log group already exists.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `runs ${def.entry}`,
    });
    logGroup.grantWrite(role);

    this.fn = new NodejsFunction(this, 'Function', {
      entry: join(r.projectRoot, def.entry),
      handler: 'handler',
      projectRoot: r.projectRoot,
      depsLockFilePath: `${r.projectRoot}/package-lock.json`,
      description: `${def.entry} — ${props.purpose}`,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: def.memoryMb ?? DEFAULT_MEMORY_MB,
      timeout: Duration.seconds(def.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS),
      tracing: Tracing.ACTIVE,
      role,
      logGroup,
      environment: {
        ...r.environment,
        ...(bundlingOptions.RUNTIME_NODE_OPTIONS ? { NODE_OPTIONS: bundlingOptions.RUNTIME_NODE_OPTIONS } : {}),
        ...(def.access.graph ? { GRAPH_SECRET_ARN: r.graphSecret.secretArn } : {}),
        ...(def.access.writeGraphSecrets || def.access.listGraphSecrets ? { GRAPH_SECRET_PREFIX: r.graphSecretPrefix } : {}),
        ...(def.access.listGraphSecrets ? { GRAPH_SECRET_ORPHAN_GRACE_MINUTES: String(r.graphSecretOrphanGraceMinutes) } : {}),
        ...(def.access.sendSchedules ? { SCHEDULE_QUEUE_URL: r.scheduleQueue.queueUrl } : {}),
        ...(props.environment ?? {}),
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: bundlingOptions.NODE_TARGET,
        minify: bundlingOptions.MINIFY,
        sourceMap: bundlingOptions.SOURCE_MAP,
        sourcesContent: bundlingOptions.SOURCES_CONTENT,
        mainFields: bundlingOptions.MAIN_FIELDS,
        externalModules: bundlingOptions.EXTERNALS,
        banner: bundlingOptions.ESM_REQUIRE_BANNER,
        esbuildArgs: bundlingOptions.builtinAliasArgs(r.projectRoot),
        // A splitting function (the run worker) is built again with its chunks: what it loads on first use stays out of index.mjs.
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir, outputDir) => bundlingOptions.splitBuildCommands(inputDir, outputDir, def),
        },
      },
    });

    grantAccess(this.fn, def.access, r);

    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Node.js 22 is the runtime the project pins (bundles target node22, the toolchain is verified on it); it is supported by Lambda until 2027. Move all functions to the next LTS together, after its tests pass.',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: [
        'Active X-Ray tracing needs xray:PutTraceSegments/PutTelemetryRecords, which support no resource-level permissions.',
        ...(def.access.listGraphSecrets ? [LIST_SECRETS_REASON] : []),
        ...(props.moreWildcardReasons ?? []),
      ].join(' '),
    });
  }
}

/**
 * ListSecrets has no resource type in the Secrets Manager permissions reference, so it can only be
 * granted on `*` ("If there is no value for this column, you must specify all resources"); the AWS
 * guide's example grants `secretsmanager:List*` on `*` next to per-secret grants for the same reason.
 */
const LIST_SECRETS_REASON = 'The orphan reconciler needs secretsmanager:ListSecrets, which supports no resource-level permissions; it answers secret metadata only (never values), the function filters by its name prefix, and it may delete only under that prefix.';

/** Least privilege from wiring: each `access` field maps to one CDK grant, nothing else. */
function grantAccess(fn: NodejsFunction, access: FunctionAccess, r: FunctionResources) {
  if (access.table === 'read') r.table.grantReadData(fn);
  if (access.table === 'readwrite') r.table.grantReadWriteData(fn);
  if (access.sendWork) r.workQueue.grantSendMessages(fn);
  if (access.sendSchedules) r.scheduleQueue.grantSendMessages(fn);
  if (access.publishEvents) r.bus.grantPutEventsTo(fn);
  if (access.graph) r.graphSecret.grantRead(fn);
  // Issue 19: tenants' Graph credentials, one secret each under GRAPH_SECRET_PREFIX. The worker reads
  // them; the tenant routes create them and put new values — nothing else, and only under the prefix.
  // The secret sweeper, the orphan reconciler and the tenant routes may schedule their deletion, once
  // no tenant names them (a superseded credential, an orphan, a secret a refused request wrote).
  if (access.graph || access.writeGraphSecrets || access.deleteGraphSecrets) {
    const actions = [
      ...(access.graph ? ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'] : []),
      ...(access.writeGraphSecrets ? ['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue'] : []),
      ...(access.deleteGraphSecrets ? ['secretsmanager:DeleteSecret'] : []),
    ];
    const stack = Stack.of(fn);
    const resource = `arn:${stack.partition}:secretsmanager:${stack.region}:${stack.account}:secret:${r.graphSecretPrefix}*`;
    fn.addToRolePolicy(new iam.PolicyStatement({ actions, resources: [resource] }));
    Validations.of(fn.role!).acknowledge({
      // cdk-nag names the finding by the resource as synthesized: pseudo parameters while the stack's
      // account/region are unresolved (tests), the literal values when the CLI passes them
      // (CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION, as `cdk synth` and `cdk deploy` do with credentials).
      id: `AwsSolutions-IAM5[Resource::arn:${nagShown(stack.partition, 'AWS::Partition')}:secretsmanager:${nagShown(stack.region, 'AWS::Region')}:${nagShown(stack.account, 'AWS::AccountId')}:secret:${r.graphSecretPrefix}*]`,
      reason: 'Each tenant\'s Graph credential is its own secret, created at run time (POST /tenants, credential rotation) under this stack\'s name prefix and deleted once no tenant names it (the secret sweeper, the orphan reconciler, a refused tenant request); the grant is scoped to that prefix.',
    });
  }
  if (access.listGraphSecrets) fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:ListSecrets'], resources: ['*'] }));
  // Every function that reads the table may page through it (lists, the reaper, drift): it signs cursors.
  if (access.table !== 'none') r.cursorSecret.grantRead(fn);
  if (access.table !== 'none') {
    // The grant covers the table's GSIs (`<table>/index/*`): every list reads one of INDEXES (keys.ts).
    Validations.of(fn.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${tableLogicalIdToken(r.table)}.Arn>/index/*]`,
      reason: 'Queries run on the table\'s global secondary indexes (shared/store/keys.ts INDEXES); the grant is scoped to this table\'s indexes.',
    });
  }
}

/** The CloudFormation logical id cdk-nag prints for the table in finding ids. */
function tableLogicalIdToken(table: ITable): string {
  return Stack.of(table).getLogicalId(table.node.defaultChild as CfnElement);
}

/** A value as cdk-nag prints it in a finding: `<AWS::Region>` for an unresolved pseudo parameter, else the value. */
const nagShown = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<${pseudo}>` : value);
