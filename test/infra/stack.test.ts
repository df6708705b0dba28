/**
 * What the deployed stack promises (SPEC §6, §8, §9 and the deploy issue), proven on the template of
 * the real app. One synthesis per file: importing and synthesizing aws-cdk-lib is the slow part.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { type IQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import { INDEXES, STREAM_EVENT_PREFIXES, TABLE_KEYS, TENANT_PROFILE_SK, TTL_ATTRIBUTE } from '../../shared/store/keys.js';
import { createTableInput } from '../../shared/store/table.js';
import { METRIC_NAMES, METRICS_NAMESPACE, SERVICE_DIMENSION, SERVICE_NAME } from '../../shared/observability/metric-names.js';
import { queues, REAPER_TIMEOUT_SECONDS, routes, rules, SCHEDULE_STARTER_MAX_CONCURRENCY, schedules, SECRET_RECONCILER_SCHEDULE, secretSweeper, streamPublisher, TICK_SAFETY_MARGIN_MS, TICK_TIMEOUT_SECONDS, WORKER_MAX_CONCURRENCY } from '../../shared/wiring.js';
import { deployedFunctions, deployedRoutes } from '../../infra/constructs/deployed-functions.js';
import { buildApp, PROJECT_ROOT } from '../../infra/app.js';
import { synthStack, type SynthResult } from './synth-stack.js';
import { DEFAULT_MAX_ACTIVE_RUNS_PER_TENANT, leaseMsFor, parseSettings, WORKER_LEASE_MS } from '../../shared/settings.js';

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };

const CONTEXT = { jwtIssuer: 'https://issuer.example.com/tenant/v2.0', jwtAudience: 'api://operation-runs,client-id-123', alarmEmail: 'ops@example.com', consoleOrigins: 'https://console.example.com', jwtScopes: 'api://operation-runs/Runs.ReadWrite', platformAdmins: 'admin-sub-1, admin-sub-2' };

let synth: SynthResult;
let template: Template;
let resources: Record<string, Resource>;

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const one = (type: string) => {
  const found = ofType(type);
  expect(found, type).toHaveLength(1);
  return found[0];
};
/** a queue's logical id, from the construct (queues have no physical names to find them by) */
const queueId = (queue: IQueue) => synth.stack.getLogicalId(queue.node.defaultChild as CfnElement);
const messaging = () => synth.stack.messaging;
const functionOf = (entry: string) => {
  const found = ofType('AWS::Lambda::Function').filter(([, r]) => String(r.Properties.Description).startsWith(`${entry} — `));
  expect(found, entry).toHaveLength(1);
  return found[0];
};
/** every statement of the inline policies on a function's role */
const statementsOf = (entry: string) => {
  const roleId = functionOf(entry)[1].Properties.Role['Fn::GetAtt'][0];
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
};
const actionsOf = (entry: string) => statementsOf(entry).flatMap((s) => [s.Action].flat());
const refersTo = (resource: unknown, logicalId: string) => JSON.stringify(resource).includes(`"${logicalId}"`);

beforeAll(() => {
  synth = synthStack(CONTEXT);
  template = synth.template;
  resources = template.toJSON().Resources ?? {};
}, 120_000);

afterAll(() => rmSync(synth.outdir, { recursive: true, force: true }));

describe('synthesis', () => {
  it('synthesizes with cdk-nag AwsSolutions checks and no unacknowledged finding', () => {
    expect(synth.synthError?.message).toBeUndefined();
    expect(Object.keys(resources).length).toBeGreaterThan(50);
  });

  it('fails the real app synth on an unacknowledged finding (the control for the clean synth above)', () => {
    const control = synthStack(CONTEXT, (stack) => new Queue(stack, 'PlainQueue')); // no DLQ, no TLS-only policy
    rmSync(control.outdir, { recursive: true, force: true });
    expect(control.synthError?.message).toMatch(/AwsSolutions-SQS4/);
  }, 60_000);

  it('is cdk-nag clean for a concrete account and region too (what `cdk synth` and `cdk deploy` pass with credentials)', () => {
    const saved = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
    process.env.CDK_DEFAULT_ACCOUNT = '123456789012';
    process.env.CDK_DEFAULT_REGION = 'eu-west-1';
    let concrete: SynthResult | undefined;
    try {
      concrete = synthStack(CONTEXT);
      expect(concrete.synthError?.message).toBeUndefined();
      expect(JSON.stringify(concrete.template.toJSON())).toContain(':secretsmanager:eu-west-1:123456789012:secret:');
    } finally {
      for (const [k, v] of [['CDK_DEFAULT_ACCOUNT', saved.account], ['CDK_DEFAULT_REGION', saved.region]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      if (concrete) rmSync(concrete.outdir, { recursive: true, force: true });
    }
  }, 120_000);

  it('gives every cdk-nag acknowledgement a reason', () => {
    expect(synth.acknowledgements.length).toBeGreaterThan(0);
    for (const ack of synth.acknowledgements) expect(ack.reason.length, `${ack.path} ${ack.id}`).toBeGreaterThan(30);
  });
});

describe('data', () => {
  it('builds the table from shared/store keys: pk/sk, every GSI, string attributes, TTL on expiresAt', () => {
    const [, table] = one('AWS::DynamoDB::Table');
    const p = table.Properties;
    expect(p.KeySchema).toEqual([
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
    ]);
    expect(p.GlobalSecondaryIndexes.map((g: any) => g.IndexName).sort()).toEqual(Object.keys(INDEXES).sort());
    for (const g of p.GlobalSecondaryIndexes) {
      const index = INDEXES[g.IndexName as keyof typeof INDEXES];
      expect(g.KeySchema).toEqual([
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ]);
      // The same projection as the local CreateTable (both read INDEXES).
      expect(g.Projection).toEqual(createTableInput('t').GlobalSecondaryIndexes.find((l) => l.IndexName === g.IndexName)!.Projection);
    }
    expect(p.AttributeDefinitions.every((a: any) => a.AttributeType === 'S')).toBe(true);
    expect(p.TimeToLiveSpecification).toEqual({ AttributeName: TTL_ATTRIBUTE, Enabled: true });
    expect(TTL_ATTRIBUTE).toBe('expiresAt');
  });

  it('enables point-in-time recovery, a NEW_AND_OLD_IMAGES stream and encryption, and retains the table', () => {
    const [, table] = one('AWS::DynamoDB::Table');
    expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true });
    expect(table.DeletionPolicy).toBe('Retain');
  });

  it('keeps the Graph credentials in a Secrets Manager secret', () => {
    expect(ofType('AWS::SecretsManager::Secret').filter(([id]) => id.includes('GraphCredentials'))).toHaveLength(1);
  });
});

describe('messaging and workers', () => {
  it('redrives work messages to the DLQ after maxReceiveCount 3', () => {
    const work = resources[queueId(messaging().workQueue)];
    expect(work.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [queueId(messaging().workDlq), 'Arn'] },
      maxReceiveCount: 3,
    });
  });

  it('sets the work queue visibility timeout to at least 6 × the worker timeout', () => {
    const visibility = resources[queueId(messaging().workQueue)].Properties.VisibilityTimeout;
    const workerTimeout = functionOf(queues.work.consumer)[1].Properties.Timeout;
    expect(workerTimeout).toBe(queues.work.timeoutSeconds);
    expect(visibility).toBeGreaterThanOrEqual(6 * workerTimeout);
  });

  it("holds a run's lease, derived from the deployed worker timeout, for less than the deployed visibility timeout", () => {
    const visibility = resources[queueId(messaging().workQueue)].Properties.VisibilityTimeout;
    const workerTimeout = functionOf(queues.work.consumer)[1].Properties.Timeout;
    expect(WORKER_LEASE_MS).toBe(leaseMsFor(workerTimeout));
    // a redelivered message must find a crashed worker's lease expired, or it burns a receive
    expect(WORKER_LEASE_MS).toBeLessThan(visibility * 1000);
  });

  it('encrypts every queue and denies non-TLS access to it', () => {
    for (const [id, q] of ofType('AWS::SQS::Queue')) {
      expect(q.Properties.SqsManagedSseEnabled, id).toBe(true);
      const policy = ofType('AWS::SQS::QueuePolicy').find(([, p]) => refersTo(p.Properties.Queues, id));
      const denyInsecure = policy?.[1].Properties.PolicyDocument.Statement.find(
        (s: any) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false',
      );
      expect(denyInsecure, id).toBeDefined();
    }
  });

  it('drives the worker from the work queue, the DLQ handler from the DLQ and the schedule starter from the schedule queue, all reporting batch item failures', () => {
    const sqsMappings = ofType('AWS::Lambda::EventSourceMapping').filter(([, m]) => !refersTo(m.Properties.EventSourceArn, 'StreamArn'));
    expect(sqsMappings).toHaveLength(Object.keys(queues).length);
    for (const [name, q, queue] of [
      [queues.work.consumer, queues.work, messaging().workQueue],
      [queues.dlq.consumer, queues.dlq, messaging().workDlq],
      [queues.schedule.consumer, queues.schedule, messaging().scheduleQueue],
    ] as const) {
      const [fnId] = functionOf(name);
      const mapping = sqsMappings.find(([, m]) => m.Properties.FunctionName.Ref === fnId);
      expect(mapping, name).toBeDefined();
      expect(mapping![1].Properties.EventSourceArn).toEqual({ 'Fn::GetAtt': [queueId(queue), 'Arn'] });
      expect(mapping![1].Properties.BatchSize).toBe(q.batchSize);
      expect(mapping![1].Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    }
  });

  it('bounds the worker event source with a maximum concurrency (issue 16), within AWS range 2–1000', () => {
    const [fnId] = functionOf(queues.work.consumer);
    const [, mapping] = ofType('AWS::Lambda::EventSourceMapping').find(([, m]) => m.Properties.FunctionName.Ref === fnId)!;
    expect(WORKER_MAX_CONCURRENCY).toBe(20);
    expect(mapping.Properties.ScalingConfig).toEqual({ MaximumConcurrency: WORKER_MAX_CONCURRENCY });
  });

  it('sizes the tick and the reaper timeouts from wiring, each shorter than its rate', () => {
    const [, tick] = functionOf('functions/schedules/backup-tick.ts');
    const [, reaper] = functionOf('functions/schedules/reaper.ts');
    expect(tick.Properties.Timeout).toBe(TICK_TIMEOUT_SECONDS);
    expect(reaper.Properties.Timeout).toBe(REAPER_TIMEOUT_SECONDS);
    for (const sch of schedules) expect(sch.timeoutSeconds!, sch.name).toBeLessThan(sch.everyMinutes * 60);
    // The tick stops paging with time left for its last page's sends.
    expect(TICK_SAFETY_MARGIN_MS).toBeLessThan(TICK_TIMEOUT_SECONDS * 1000);
  });

  it('fans due schedules out through a schedule queue with a DLQ to a bounded schedule starter (issue 16)', () => {
    const scheduleQueue = resources[queueId(messaging().scheduleQueue)];
    expect(scheduleQueue.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [queueId(messaging().scheduleDlq), 'Arn'] },
      maxReceiveCount: queues.schedule.maxReceiveCount,
    });
    const [starterId, starter] = functionOf(queues.schedule.consumer);
    expect(starter.Properties.Timeout).toBe(queues.schedule.timeoutSeconds);
    expect(scheduleQueue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * starter.Properties.Timeout);
    const [, mapping] = ofType('AWS::Lambda::EventSourceMapping').find(([, m]) => m.Properties.FunctionName.Ref === starterId)!;
    expect(mapping.Properties.EventSourceArn).toEqual({ 'Fn::GetAtt': [queueId(messaging().scheduleQueue), 'Arn'] });
    expect(mapping.Properties.ScalingConfig).toEqual({ MaximumConcurrency: SCHEDULE_STARTER_MAX_CONCURRENCY });
    expect(mapping.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    // Only the tick sends to the schedule queue, and only the tick is told its URL.
    const scheduleQueueId = queueId(messaging().scheduleQueue);
    for (const f of deployedFunctions()) {
      const sendsThere = statementsOf(f.entry).some((st) => [st.Action].flat().includes('sqs:SendMessage') && refersTo(st.Resource, scheduleQueueId));
      expect(sendsThere, f.entry).toBe(f.entry === 'functions/schedules/backup-tick.ts');
      const url = functionOf(f.entry)[1].Properties.Environment.Variables.SCHEDULE_QUEUE_URL;
      expect(url, f.entry).toEqual(f.entry === 'functions/schedules/backup-tick.ts' ? { Ref: scheduleQueueId } : undefined);
    }
  });
});

describe('quota and concurrency from CDK context (issue 16)', () => {
  const quotaOf = (t: Record<string, Resource>) =>
    new Set(Object.values(t).filter((r) => r.Type === 'AWS::Lambda::Function').map((r) => r.Properties.Environment.Variables.MAX_ACTIVE_RUNS_PER_TENANT));

  it('gives every function the default active-run quota, and the worker mapping the default cap', () => {
    expect(quotaOf(resources)).toEqual(new Set([String(DEFAULT_MAX_ACTIVE_RUNS_PER_TENANT)]));
  });

  it('takes -c maxActiveRunsPerTenant and -c workerMaxConcurrency into every function\'s environment and the worker\'s event source', () => {
    const custom = synthStack({ ...CONTEXT, maxActiveRunsPerTenant: '7', workerMaxConcurrency: '5', graphSecretOrphanGraceMinutes: '90' });
    rmSync(custom.outdir, { recursive: true, force: true });
    expect(custom.synthError?.message).toBeUndefined();
    const res = custom.template.toJSON().Resources as Record<string, Resource>;
    expect(quotaOf(res)).toEqual(new Set(['7']));
    const workerId = Object.entries(res).find(([, r]) => r.Type === 'AWS::Lambda::Function' && String(r.Properties.Description).startsWith(`${queues.work.consumer} — `))![0];
    const mapping = Object.values(res).find((r) => r.Type === 'AWS::Lambda::EventSourceMapping' && r.Properties.FunctionName.Ref === workerId)!;
    expect(mapping.Properties.ScalingConfig).toEqual({ MaximumConcurrency: 5 });
    // -c graphSecretOrphanGraceMinutes reaches the orphan reconciler only (issue 19 follow-up).
    const graces = Object.values(res).filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment.Variables.GRAPH_SECRET_ORPHAN_GRACE_MINUTES);
    expect(graces.map((r) => [String(r.Properties.Description).split(' — ')[0], r.Properties.Environment.Variables.GRAPH_SECRET_ORPHAN_GRACE_MINUTES])).toEqual([['functions/schedules/secret-reconciler.ts', '90']]);
  }, 120_000);

  it('refuses a quota the functions\' settings would refuse, and a cap outside AWS\'s range', () => {
    // buildApp checks context before it builds any construct, so nothing is synthesized here.
    const build = (extra: Record<string, string>) => () => buildApp({ context: { 'aws:cdk:bundling-stacks': [], ...CONTEXT, ...extra } });
    expect(build({ maxActiveRunsPerTenant: '0' })).toThrow(/maxActiveRunsPerTenant/);
    expect(build({ maxActiveRunsPerTenant: '2.5' })).toThrow(/maxActiveRunsPerTenant/);
    expect(build({ workerMaxConcurrency: '1' })).toThrow(/workerMaxConcurrency/);
    expect(build({ graphSecretOrphanGraceMinutes: '5' })).toThrow(/graphSecretOrphanGraceMinutes/);
    expect(build({ dispatchMode: 'stream' })).toThrow(/dispatchMode/);
  });
});

describe('functions', () => {
  it('deploys one Node.js 22 arm64 function with active tracing per wiring entry, each with a log retention', () => {
    const fns = ofType('AWS::Lambda::Function');
    expect(fns).toHaveLength(deployedFunctions().length);
    for (const def of deployedFunctions()) {
      const [, fn] = functionOf(def.entry);
      expect(fn.Properties.Runtime, def.entry).toBe('nodejs22.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(fn.Properties.Handler).toBe('index.handler');
      const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref;
      expect(resources[logGroupId].Properties.RetentionInDays, def.entry).toBeGreaterThan(0);
      expect(Object.keys(fn.Properties.Environment.Variables)).toEqual(
        expect.arrayContaining(['TABLE_NAME', 'WORK_QUEUE_URL', 'EVENT_BUS_NAME', 'RUN_RETENTION_DAYS', 'POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_METRICS_NAMESPACE']),
      );
      expect(fn.Properties.Environment.Variables.POWERTOOLS_METRICS_NAMESPACE).toBe(METRICS_NAMESPACE);
      // The literal values parse as settings (a function would fail its cold start otherwise);
      // values CloudFormation fills in at deploy time stand in as a URL.
      const deployed = Object.fromEntries(
        Object.entries(fn.Properties.Environment.Variables as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : k.endsWith('_ARN') ? 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:deploy-time-AbCdEf' : 'https://deploy-time.example.com/value']),
      );
      expect(() => parseSettings(deployed), def.entry).not.toThrow();
    }
  });

  it('takes memory and timeout from wiring where it names them', () => {
    const [, worker] = functionOf(queues.work.consumer);
    expect(worker.Properties.MemorySize).toBe(queues.work.memoryMb);
    const [, publisher] = functionOf(streamPublisher.entry);
    expect(publisher.Properties.Timeout).toBe(streamPublisher.timeoutSeconds);
  });

  it('runs every function with source maps enabled (the bundles carry them)', () => {
    const fns = ofType('AWS::Lambda::Function');
    expect(fns.length).toBe(deployedFunctions().length);
    for (const [id, fn] of fns) expect(fn.Properties.Environment.Variables.NODE_OPTIONS, id).toBe('--enable-source-maps');
  });

  it('signs cursors with a key Secrets Manager generates; functions get only its ARN, and those that read the table may read it (issue 15, item 5)', () => {
    const secrets = ofType('AWS::SecretsManager::Secret');
    expect(secrets).toHaveLength(2); // the Graph credentials and the cursor key
    const [keyId, key] = secrets.find(([id]) => id.includes('CursorSigningKey'))!;
    expect(key.Properties.GenerateSecretString).toMatchObject({ PasswordLength: 64, ExcludePunctuation: true });
    expect(key.Properties).not.toHaveProperty('SecretString');
    // No key value, and no stack-derived one, anywhere in the template.
    expect(JSON.stringify(template.toJSON())).not.toContain('CURSOR_SECRET"');
    for (const f of deployedFunctions()) {
      const vars = functionOf(f.entry)[1].Properties.Environment.Variables;
      expect(vars.CURSOR_SECRET, f.entry).toBeUndefined();
      expect(vars.CURSOR_SECRET_ARN, f.entry).toEqual({ Ref: keyId });
      // The deployed environment passes the settings' check (a key ARN, no constant fallback).
      expect(parseSettings({ CURSOR_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:k-AbCdEf', LOCAL_RUNTIME: vars.LOCAL_RUNTIME }).localRuntime, f.entry).toBe(false);
      const readsKey = statementsOf(f.entry).some((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue') && refersTo(s.Resource, keyId));
      expect(readsKey, f.entry).toBe(f.access.table !== 'none');
    }
  });
});

describe('tenants and their Graph credentials (issue 19)', () => {
  const apiEntries = new Set(deployedRoutes().map((r) => r.entry));

  it('gives every API function the platform admins from the deploy context, and no other function', () => {
    for (const f of deployedFunctions()) {
      const vars = functionOf(f.entry)[1].Properties.Environment.Variables;
      if (!apiEntries.has(f.entry)) {
        expect(vars.PLATFORM_ADMINS, f.entry).toBeUndefined();
        continue;
      }
      expect(vars.PLATFORM_ADMINS, f.entry).toBe('admin-sub-1,admin-sub-2');
      expect(parseSettings({ CURSOR_SECRET: 'x', PLATFORM_ADMINS: vars.PLATFORM_ADMINS }).platformAdmins).toEqual(['admin-sub-1', 'admin-sub-2']);
    }
  });

  it('lets only the tenant routes create and replace secrets, only under the stack\'s prefix; Graph readers may read them there', () => {
    const prefixOf = (resource: unknown) => JSON.stringify(resource).match(/secret:(operation-runs\/graph\/[^"*]+\/)\*/)?.[1];
    for (const f of deployedFunctions()) {
      const statements = statementsOf(f.entry);
      const writes = statements.filter((s) => [s.Action].flat().some((a) => a === 'secretsmanager:CreateSecret' || a === 'secretsmanager:PutSecretValue'));
      expect(writes.length > 0, f.entry).toBe(Boolean(f.access.writeGraphSecrets));
      for (const w of writes) expect(prefixOf(w.Resource), f.entry).toBe(`operation-runs/graph/${synth.stack.stackName}/`);
      const vars = functionOf(f.entry)[1].Properties.Environment.Variables;
      expect(vars.GRAPH_SECRET_PREFIX, f.entry).toBe(f.access.writeGraphSecrets || f.access.listGraphSecrets ? `operation-runs/graph/${synth.stack.stackName}/` : undefined);
      const readsTenantSecrets = statements.some((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue') && prefixOf(s.Resource));
      expect(readsTenantSecrets, f.entry).toBe(Boolean(f.access.graph));
    }
    expect(deployedRoutes().filter((r) => r.access.writeGraphSecrets).map((r) => `${r.method} ${r.path}`).sort()).toEqual(['POST /tenants', 'PUT /tenants/{tenantId}/graph-credential']);
  });

  it('lets only the secret sweeper, the orphan reconciler and the tenant routes delete secrets, only under the stack\'s prefix (issue 19 follow-up)', () => {
    const reconciler = schedules.find((s) => s.name === 'secret-reconciler')!;
    const deleters = deployedFunctions().filter((f) => statementsOf(f.entry).some((s) => [s.Action].flat().some((a) => a === 'secretsmanager:DeleteSecret' || a === 'secretsmanager:*')));
    expect(deleters.map((f) => f.entry).sort()).toEqual([
      secretSweeper.entry, reconciler.entry, ...deployedRoutes().filter((r) => r.access.writeGraphSecrets).map((r) => r.entry),
    ].sort());
    expect(deleters.map((f) => f.entry).sort()).toEqual(deployedFunctions().filter((f) => f.access.deleteGraphSecrets).map((f) => f.entry).sort());
    for (const f of deleters) {
      const deletes = statementsOf(f.entry).filter((s) => [s.Action].flat().includes('secretsmanager:DeleteSecret'));
      expect(deletes, f.entry).toHaveLength(1);
      expect(JSON.stringify(deletes[0].Resource), f.entry).toMatch(new RegExp(`:secret:operation-runs/graph/${synth.stack.stackName}/\\*"`));
    }
    const sweeperDeletes = statementsOf(secretSweeper.entry).filter((s) => [s.Action].flat().includes('secretsmanager:DeleteSecret'));
    expect([sweeperDeletes[0].Action].flat()).toEqual(['secretsmanager:DeleteSecret']);
    expect(secretSweeper.access).toEqual({ table: 'read', deleteGraphSecrets: true });
  });

  it('lets only the orphan reconciler list secrets (ListSecrets supports only Resource *), runs it hourly, reading the table only (issue 19 follow-up)', () => {
    const reconciler = schedules.find((s) => s.name === 'secret-reconciler')!;
    expect(reconciler.access).toEqual({ table: 'read', listGraphSecrets: true, deleteGraphSecrets: true });
    const listers = deployedFunctions().filter((f) => actionsOf(f.entry).some((a) => a.startsWith('secretsmanager:List')));
    expect(listers.map((f) => f.entry)).toEqual([reconciler.entry]);
    const lists = statementsOf(reconciler.entry).filter((s) => [s.Action].flat().includes('secretsmanager:ListSecrets'));
    expect(lists).toHaveLength(1);
    expect([lists[0].Action].flat()).toEqual(['secretsmanager:ListSecrets']);
    expect(lists[0].Resource).toBe('*');
    // It may neither read secret values nor write them, nor write the table.
    const actions = actionsOf(reconciler.entry);
    for (const a of ['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']) expect(actions).not.toContain(a);
    expect(statementsOf(reconciler.entry).some((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue') && JSON.stringify(s.Resource).includes('operation-runs/graph/'))).toBe(false);
    const [fnId, fn] = functionOf(reconciler.entry);
    expect(fn.Properties.Timeout).toBeLessThan(reconciler.everyMinutes * 60);
    expect(fn.Properties.Environment.Variables).toMatchObject({ GRAPH_SECRET_PREFIX: `operation-runs/graph/${synth.stack.stackName}/`, GRAPH_SECRET_ORPHAN_GRACE_MINUTES: '60' });
    const rule = ofType('AWS::Events::Rule').find(([, r]) => r.Properties.Targets?.[0]?.Arn?.['Fn::GetAtt']?.[0] === fnId);
    expect(rule?.[1].Properties.ScheduleExpression).toBe('rate(1 hour)');
  });
});

describe('no fixed physical names', () => {
  /** properties that would give a resource a physical name, by the resource types that have them */
  const NAME_PROPERTIES = ['QueueName', 'EventBusName', 'FunctionName', 'TableName', 'AlarmName', 'DashboardName', 'TopicName', 'LogGroupName', 'RoleName', 'Name'];
  /** every (resource, property path, value) whose key is a name property, at any depth */
  const namesIn = (value: unknown, path: string[] = []): { path: string; value: unknown }[] => {
    if (Array.isArray(value)) return value.flatMap((v, i) => namesIn(v, [...path, String(i)]));
    if (value === null || typeof value !== 'object') return [];
    return Object.entries(value).flatMap(([k, v]) => [
      ...(NAME_PROPERTIES.includes(k) ? [{ path: [...path, k].join('.'), value: v }] : []),
      ...(k.startsWith('Fn::') || k === 'Ref' ? [] : namesIn(v, [...path, k])),
    ]);
  };

  it('sets no literal name anywhere: names only refer to resources CloudFormation named', () => {
    const named = Object.entries(resources).flatMap(([id, r]) => namesIn(r.Properties ?? {}).map((n) => ({ id, type: r.Type, ...n })));
    // The control: the template does use these properties, as references (rule → bus, ESM → function).
    expect(named.some((n) => n.path === 'EventBusName')).toBe(true);
    expect(named.some((n) => n.type === 'AWS::Lambda::EventSourceMapping' && n.path === 'FunctionName')).toBe(true);
    const literals = named.filter((n) => typeof n.value === 'string').filter((n) => !ALLOWED_LITERAL_NAMES(n.type, n.path));
    expect(literals).toEqual([]);
  });

  it('names none of the resources that CloudFormation can name', () => {
    for (const [type, prop] of [
      ['AWS::SQS::Queue', 'QueueName'],
      ['AWS::Lambda::Function', 'FunctionName'],
      ['AWS::DynamoDB::Table', 'TableName'],
      ['AWS::CloudWatch::Alarm', 'AlarmName'],
      ['AWS::CloudWatch::Dashboard', 'DashboardName'],
      ['AWS::SNS::Topic', 'TopicName'],
      ['AWS::Logs::LogGroup', 'LogGroupName'],
      ['AWS::Events::Rule', 'Name'],
      ['AWS::IAM::Role', 'RoleName'],
    ] as const) {
      const found = ofType(type);
      expect(found.length, type).toBeGreaterThan(0);
      for (const [id, r] of found) expect(r.Properties[prop], `${id} ${prop}`).toBeUndefined();
    }
  });
});

/**
 * Literal strings under a name-like key that are not physical names: API route, authorizer, stage
 * and index names, the JWT authorizer's identity source, and metric/dimension names inside alarms.
 */
function ALLOWED_LITERAL_NAMES(type: string, path: string): boolean {
  if (type.startsWith('AWS::ApiGatewayV2::')) return true; // the stage `$default`, the authorizer's name
  if (type === 'AWS::CloudWatch::Alarm') return path.endsWith('Dimensions.0.Name') || /Metrics\.\d+\.MetricStat\.Metric\.Dimensions\.\d+\.Name$/.test(path) || /^Dimensions\.\d+\.Name$/.test(path);
  return false;
}

describe('least privilege from wiring access', () => {
  const TABLE_WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

  it('lets read handlers read the table but never write it', () => {
    const readers = deployedFunctions().filter((f) => f.access.table === 'read');
    expect(readers.length).toBeGreaterThan(5);
    for (const f of readers) {
      const actions = actionsOf(f.entry);
      expect(actions, f.entry).toContain('dynamodb:Query');
      for (const write of TABLE_WRITES) expect(actions, f.entry).not.toContain(write);
    }
  });

  it('lets readwrite functions write the table, and functions without table access not touch it', () => {
    for (const f of deployedFunctions()) {
      const actions = actionsOf(f.entry);
      if (f.access.table === 'readwrite') expect(actions, f.entry).toEqual(expect.arrayContaining(TABLE_WRITES));
      // The stream publisher reads the table's stream (its event source), never the table.
      const streamReads = ['dynamodb:ListStreams', 'dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'];
      if (f.entry === secretSweeper.entry) expect(actions, f.entry).toEqual(expect.arrayContaining(streamReads));
      const tableActions = actions.filter((a) => a.startsWith('dynamodb:') && !(f.entry === streamPublisher.entry && streamReads.includes(a)));
      if (f.access.table === 'none') expect(tableActions, f.entry).toEqual([]);
    }
  });

  it('lets only functions whose access has sendWork send to the work queue', () => {
    const workQueue = queueId(messaging().workQueue);
    for (const f of deployedFunctions()) {
      const sends = statementsOf(f.entry).filter((s) => [s.Action].flat().includes('sqs:SendMessage'));
      const toWork = sends.filter((s) => refersTo(s.Resource, workQueue));
      expect(toWork.length > 0, f.entry).toBe(Boolean(f.access.sendWork));
      // The other sends allowed: each function's own on-failure destination — the stream
      // publisher's event source's, and the rule targets' asynchronous invocations' — and the
      // tick's schedule queue (sendSchedules).
      const elsewhere = sends.filter((s) => !refersTo(s.Resource, workQueue));
      const failureQueue =
        f.entry === streamPublisher.entry || f.entry === secretSweeper.entry ? messaging().streamFailures
          : rules.some((r) => r.entry === f.entry) ? messaging().ruleTargetFailures
            : f.access.sendSchedules ? messaging().scheduleQueue : undefined;
      for (const s of elsewhere) expect(failureQueue && refersTo(s.Resource, queueId(failureQueue)), f.entry).toBe(true);
      if (failureQueue) expect(elsewhere.length, f.entry).toBeGreaterThan(0);
    }
    expect(deployedFunctions().filter((f) => f.access.sendWork).map((f) => f.entry)).toEqual(
      expect.arrayContaining([queues.work.consumer, ...routes.filter((r) => r.access.sendWork && !r.localOnly).map((r) => r.entry)]),
    );
  });

  it('lets only graph functions read the Graph secret, and only publishers put events', () => {
    const [secretId] = ofType('AWS::SecretsManager::Secret').find(([id]) => id.includes('GraphCredentials'))!;
    for (const f of deployedFunctions()) {
      const statements = statementsOf(f.entry);
      const readsSecret = statements.some((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue') && refersTo(s.Resource, secretId));
      expect(readsSecret, f.entry).toBe(Boolean(f.access.graph));
      expect(actionsOf(f.entry).includes('events:PutEvents'), f.entry).toBe(Boolean(f.access.publishEvents));
      expect('GRAPH_SECRET_ARN' in functionOf(f.entry)[1].Properties.Environment.Variables, f.entry).toBe(Boolean(f.access.graph));
    }
  });

  it('uses `*` only for X-Ray (and the stream listing the DynamoDB event source needs, and the orphan reconciler\'s ListSecrets)', () => {
    for (const f of deployedFunctions()) {
      for (const s of statementsOf(f.entry).filter((st) => st.Resource === '*')) {
        const allowed = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'dynamodb:ListStreams', ...(f.access.listGraphSecrets ? ['secretsmanager:ListSecrets'] : [])];
        expect([s.Action].flat().every((a) => allowed.includes(a)), `${f.entry} ${JSON.stringify(s.Action)}`).toBe(true);
      }
    }
  });
});

describe('api', () => {
  it('uses a JWT authorizer with issuer and audiences from context', () => {
    const [, authorizer] = one('AWS::ApiGatewayV2::Authorizer');
    expect(authorizer.Properties.AuthorizerType).toBe('JWT');
    expect(authorizer.Properties.JwtConfiguration).toEqual({ Issuer: CONTEXT.jwtIssuer, Audience: ['api://operation-runs', 'client-id-123'] });
  });

  it('deploys every non-local wiring route, and no /dev route', () => {
    const keys = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey as string);
    expect(keys.sort()).toEqual(deployedRoutes().map((r) => `${r.method} ${r.path}`).sort());
    expect(keys.some((k) => k.includes(' /dev'))).toBe(false);
    expect(routes.some((r) => r.localOnly && r.path.startsWith('/dev'))).toBe(true);
  });

  it('puts the JWT authorizer on every route except health and openapi', () => {
    const [authorizerId] = one('AWS::ApiGatewayV2::Authorizer');
    for (const [, r] of ofType('AWS::ApiGatewayV2::Route')) {
      const def = deployedRoutes().find((d) => `${d.method} ${d.path}` === r.Properties.RouteKey)!;
      if (def.auth) {
        expect(r.Properties.AuthorizationType, r.Properties.RouteKey).toBe('JWT');
        expect(r.Properties.AuthorizerId).toEqual({ Ref: authorizerId });
        // the scopes from context (jwtScopes): API Gateway refuses a token without one of them
        expect(r.Properties.AuthorizationScopes, r.Properties.RouteKey).toEqual(['api://operation-runs/Runs.ReadWrite']);
      } else {
        expect(r.Properties.AuthorizationScopes).toBeUndefined();
        expect(['GET /health', 'GET /openapi.json']).toContain(r.Properties.RouteKey);
        expect(r.Properties.AuthorizationType ?? 'NONE').toBe('NONE');
      }
    }
  });

  it('allows the hosted console origin from context, exposing ETag and Location for live refresh', () => {
    const [, api] = one('AWS::ApiGatewayV2::Api');
    expect(api.Properties.CorsConfiguration).toMatchObject({
      AllowOrigins: ['https://console.example.com'],
      ExposeHeaders: expect.arrayContaining(['etag', 'location']),
      AllowHeaders: expect.arrayContaining(['authorization', 'if-none-match']),
    });
  });

  it('throttles the default stage and writes access logs', () => {
    const [, stage] = one('AWS::ApiGatewayV2::Stage');
    expect(stage.Properties.StageName).toBe('$default');
    expect(stage.Properties.DefaultRouteSettings.ThrottlingRateLimit).toBeGreaterThan(0);
    expect(stage.Properties.DefaultRouteSettings.ThrottlingBurstLimit).toBeGreaterThan(0);
    expect(resources[stage.Properties.AccessLogSettings.DestinationArn['Fn::GetAtt'][0]].Type).toBe('AWS::Logs::LogGroup');
  });
});

describe('events and schedules', () => {
  it('publishes from the table stream with bisect, retries, an SQS on-failure destination and batch item failures', () => {
    const [tableId] = one('AWS::DynamoDB::Table');
    const [publisherId] = functionOf(streamPublisher.entry);
    const [, mapping] = ofType('AWS::Lambda::EventSourceMapping').find(([, m]) => refersTo(m.Properties.EventSourceArn, 'StreamArn') && refersTo(m.Properties.FunctionName, publisherId))!;
    expect(mapping.Properties.EventSourceArn).toEqual({ 'Fn::GetAtt': [tableId, 'StreamArn'] });
    expect(mapping.Properties.FunctionName).toEqual({ Ref: functionOf(streamPublisher.entry)[0] });
    expect(mapping.Properties.BatchSize).toBe(streamPublisher.batchSize);
    expect(mapping.Properties.BisectBatchOnFunctionError).toBe(true);
    expect(mapping.Properties.MaximumRetryAttempts).toBeGreaterThan(0);
    expect(resources[mapping.Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0]].Type).toBe('AWS::SQS::Queue');
    expect(mapping.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    // Only run items and audit entries (issue 19) invoke the publisher: one filter per sort-key prefix.
    const patterns = mapping.Properties.FilterCriteria.Filters.map((f: { Pattern: string }) => JSON.parse(f.Pattern));
    expect(patterns).toEqual(STREAM_EVENT_PREFIXES.map((prefix) => ({ dynamodb: { Keys: { [TABLE_KEYS.sortKey]: { S: [{ prefix }] } } } })));
    expect(STREAM_EVENT_PREFIXES).toEqual(['RUN#', 'AUDIT#']);
  });

  it('feeds the secret sweeper only tenant profiles\' changes and removals from the same stream, with the same retries and failure queue', () => {
    const [tableId] = one('AWS::DynamoDB::Table');
    const [sweeperId] = functionOf(secretSweeper.entry);
    const mappings = ofType('AWS::Lambda::EventSourceMapping').filter(([, m]) => refersTo(m.Properties.FunctionName, sweeperId));
    expect(mappings).toHaveLength(1);
    const [, mapping] = mappings[0];
    expect(mapping.Properties.EventSourceArn).toEqual({ 'Fn::GetAtt': [tableId, 'StreamArn'] });
    expect(mapping.Properties.BatchSize).toBe(secretSweeper.batchSize);
    expect(mapping.Properties.BisectBatchOnFunctionError).toBe(true);
    expect(mapping.Properties.MaximumRetryAttempts).toBeGreaterThan(0);
    expect(mapping.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(refersTo(mapping.Properties.DestinationConfig.OnFailure.Destination, queueId(messaging().streamFailures))).toBe(true);
    const patterns = mapping.Properties.FilterCriteria.Filters.map((f: { Pattern: string }) => JSON.parse(f.Pattern));
    expect(patterns).toEqual([{ eventName: ['MODIFY', 'REMOVE'], dynamodb: { Keys: { [TABLE_KEYS.partitionKey]: { S: [{ prefix: 'TENANT#' }] }, [TABLE_KEYS.sortKey]: { S: [TENANT_PROFILE_SK] } } } }]);
  });

  it('names the bus after the stack and hands that name to every function, and routes each wiring rule pattern on it to its function', () => {
    const [busId, bus] = one('AWS::Events::EventBus');
    // CloudFormation requires a bus name: it carries the stack name, so two stacks never collide.
    expect(JSON.stringify(bus.Properties.Name)).toContain('AWS::StackName');
    for (const [, fn] of ofType('AWS::Lambda::Function')) expect(fn.Properties.Environment.Variables.EVENT_BUS_NAME).toEqual({ Ref: busId });
    for (const rule of rules) {
      const found = ofType('AWS::Events::Rule').find(([, r]) => r.Properties.EventPattern && JSON.stringify(r.Properties.EventPattern) === JSON.stringify(rule.pattern));
      expect(found, rule.name).toBeDefined();
      expect(found![1].Properties.EventBusName).toEqual({ Ref: busId });
      expect(found![1].Properties.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [functionOf(rule.entry)[0], 'Arn'] });
    }
  });

  it('sends each rule target\'s failed asynchronous invocations to an SQS on-failure destination, after deliberate retries', () => {
    const configs = ofType('AWS::Lambda::EventInvokeConfig');
    expect(configs).toHaveLength(rules.length);
    for (const rule of rules) {
      const [fnId] = functionOf(rule.entry);
      const found = configs.find(([, c]) => c.Properties.FunctionName.Ref === fnId);
      expect(found, rule.name).toBeDefined();
      const p = found![1].Properties;
      expect(p.Qualifier).toBe('$LATEST');
      expect(p.MaximumRetryAttempts).toBe(2);
      expect(p.MaximumEventAgeInSeconds).toBe(6 * 3600);
      expect(p.DestinationConfig.OnFailure.Destination).toEqual({ 'Fn::GetAtt': [queueId(messaging().ruleTargetFailures), 'Arn'] });
    }
  });

  it('gives each rule target a dead-letter queue and a retry policy for events EventBridge cannot deliver', () => {
    const dlqId = queueId(messaging().ruleTargetDlq);
    for (const rule of rules) {
      const [ruleId, found] = ofType('AWS::Events::Rule').find(([, r]) => JSON.stringify(r.Properties.EventPattern) === JSON.stringify(rule.pattern))!;
      const [target] = found.Properties.Targets;
      expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } });
      expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 24 * 3600 });
      // EventBridge may send to the DLQ, for this rule only.
      const policy = ofType('AWS::SQS::QueuePolicy').find(([, p]) => refersTo(p.Properties.Queues, dlqId))!;
      const allow = policy[1].Properties.PolicyDocument.Statement.find((st: any) => st.Effect === 'Allow' && st.Principal?.Service === 'events.amazonaws.com');
      expect(allow?.Action).toBe('sqs:SendMessage');
      expect(refersTo(allow?.Condition, ruleId)).toBe(true);
    }
  });

  it('runs every wiring schedule at its rate', () => {
    for (const s of schedules) {
      // CDK writes whole hours as hours (Schedule.rate): the reconciler's 60 minutes is rate(1 hour).
      const hours = s.everyMinutes % 60 === 0 ? s.everyMinutes / 60 : 0;
      const rate = hours ? `rate(${hours} hour${hours === 1 ? '' : 's'})` : s.everyMinutes === 1 ? 'rate(1 minute)' : `rate(${s.everyMinutes} minutes)`;
      const found = ofType('AWS::Events::Rule').find(([, r]) => r.Properties.ScheduleExpression === rate);
      expect(found, s.name).toBeDefined();
      expect(found![1].Properties.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [functionOf(s.entry)[0], 'Arn'] });
    }
  });
});

describe('observability', () => {
  /** an alarm's single watched metric, whether CDK wrote it flat or as a labelled MetricStat */
  const alarms = () =>
    ofType('AWS::CloudWatch::Alarm').map(([, { Properties: a }]): Record<string, any> => {
      const stat = a.Metrics?.length === 1 ? a.Metrics[0].MetricStat : undefined;
      return {
        ...a,
        MetricName: a.MetricName ?? stat?.Metric.MetricName,
        Namespace: a.Namespace ?? stat?.Metric.Namespace,
        Dimensions: a.Dimensions ?? stat?.Metric.Dimensions,
        Statistic: a.ExtendedStatistic ?? a.Statistic ?? stat?.Stat,
        Period: a.Period ?? stat?.Period,
      };
    });

  /** the metrics of an alarm on a math expression, by id */
  const metricsOf = (a: Record<string, any>) => Object.fromEntries((a.Metrics ?? []).filter((m: any) => m.MetricStat).map((m: any) => [m.Id, m.MetricStat]));

  it('alarms when a message reaches the work DLQ, although the DLQ handler drains it at once: receives count, not only depth', () => {
    const dlq = queueId(messaging().workDlq);
    const arrival = alarms().find((a) => Object.values(metricsOf(a)).some((m: any) => m.Metric.MetricName === 'NumberOfMessagesReceived' && refersTo(m.Metric.Dimensions, dlq)));
    expect(arrival, 'work DLQ arrival alarm').toBeDefined();
    const m = metricsOf(arrival!);
    expect(m.received).toMatchObject({ Stat: 'Sum', Period: 60 });
    expect(m.visible).toMatchObject({ Stat: 'Maximum', Metric: { MetricName: 'ApproximateNumberOfMessagesVisible' } });
    expect(refersTo(m.visible.Metric.Dimensions, dlq)).toBe(true);
    expect(arrival!.Metrics.find((x: any) => x.Expression).Expression).toBe('FILL(received, 0) + FILL(visible, 0)');
    expect(arrival!.Threshold).toBe(1);
    expect(arrival!.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
  });

  it('alarms as soon as a message waits in the schedule DLQ (nothing consumes it)', () => {
    const id = queueId(messaging().scheduleDlq);
    const found = alarms().find((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible' && refersTo(a.Dimensions, id));
    expect(found, 'schedule DLQ alarm').toBeDefined();
    expect(found!.Statistic).toBe('Maximum');
    expect(found!.Period).toBe(60);
    expect(found!.Threshold).toBe(1);
    expect(found!.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
  });

  it('alarms on every record sent to the rule targets\' on-failure destination and to their DLQ', () => {
    for (const queue of [messaging().ruleTargetFailures, messaging().ruleTargetDlq]) {
      const id = queueId(queue);
      const found = alarms().find((a) => a.MetricName === 'NumberOfMessagesSent' && refersTo(a.Dimensions, id));
      expect(found, id).toBeDefined();
      expect(found!.Statistic).toBe('Sum');
      expect(found!.Threshold).toBe(1);
      expect(found!.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
    }
  });

  it('alarms when the stream publisher falls behind the table (IteratorAge maximum)', () => {
    const [publisherId] = functionOf(streamPublisher.entry);
    const found = alarms().find((a) => a.MetricName === 'IteratorAge' && refersTo(a.Dimensions, publisherId));
    expect(found).toBeDefined();
    expect(found!.Namespace).toBe('AWS/Lambda');
    expect(found!.Statistic).toBe('Maximum');
    expect(found!.Threshold).toBeGreaterThan(0);
    expect(found!.Threshold).toBeLessThanOrEqual(60 * 60 * 1000);
  });

  it('gives every alarm a runbook entry in docs/DEPLOY.md', () => {
    const deploy = readFileSync(join(PROJECT_ROOT, 'docs/DEPLOY.md'), 'utf8');
    const headings = new Set([...deploy.matchAll(/^### (\S+)$/gm)].map((h) => h[1].toLowerCase()));
    const all = alarms();
    expect(all.length).toBeGreaterThanOrEqual(9);
    for (const a of all) {
      const anchor = /Runbook: docs\/DEPLOY\.md#(\S+)/.exec(a.AlarmDescription)?.[1];
      expect(anchor, a.AlarmDescription).toBeDefined();
      expect(headings.has(anchor!), `${anchor} has a ### heading in docs/DEPLOY.md`).toBe(true);
    }
  });

  it('alarms on worker errors', () => {
    const [workerId] = functionOf(queues.work.consumer);
    expect(alarms().some((a) => a.MetricName === 'Errors' && refersTo(a.Dimensions, workerId))).toBe(true);
  });

  it('alarms on reaped runs from the product namespace', () => {
    expect(alarms().some((a) => a.MetricName === METRIC_NAMES.runsReaped && a.Namespace === METRICS_NAMESPACE)).toBe(true);
  });

  describe('the orphan secret reconciler (hourly)', () => {
    const reconciler = schedules.find((s) => s.name === SECRET_RECONCILER_SCHEDULE)!;
    /** one datapoint per run: the period is the rate, and 1 breaching period of the last 2 keeps a failing hourly run in ALARM */
    const expectHourlyAlarm = (a: Record<string, any> | undefined) => {
      expect(a).toBeDefined();
      expect(a).toMatchObject({
        Statistic: 'Sum',
        Period: reconciler.everyMinutes * 60,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 2,
        DatapointsToAlarm: 1,
        TreatMissingData: 'notBreaching',
      });
      const [snsId] = one('AWS::SNS::Topic');
      expect(a!.AlarmActions).toEqual([{ Ref: snsId }]);
      expect(a!.OKActions).toEqual([{ Ref: snsId }]);
    };

    it('runs hourly, so the alarms below read hourly datapoints', () => {
      expect(reconciler.everyMinutes).toBe(60);
    });

    it('alarms when it failed to check or delete any secret: OrphanSecretsFailed from the product namespace and service dimension', () => {
      const failed = alarms().find((a) => a.MetricName === METRIC_NAMES.orphanSecretsFailed);
      expect(failed?.Namespace).toBe(METRICS_NAMESPACE);
      expect(failed?.Dimensions).toEqual([{ Name: SERVICE_DIMENSION, Value: SERVICE_NAME }]);
      expectHourlyAlarm(failed);
      expect(failed!.AlarmDescription).toContain('Runbook: docs/DEPLOY.md#secretreconcilerfailures');
    });

    it('alarms when its Lambda throws (its Errors: no other alarm watches this function)', () => {
      const [reconcilerId] = functionOf(reconciler.entry);
      const errors = alarms().filter((a) => a.MetricName === 'Errors' && refersTo(a.Dimensions, reconcilerId));
      expect(errors).toHaveLength(1);
      expect(errors[0].Namespace).toBe('AWS/Lambda');
      expectHourlyAlarm(errors[0]);
      expect(errors[0].AlarmDescription).toContain('Runbook: docs/DEPLOY.md#secretreconcilererrors');
    });

    it('shows what it deleted, what it failed and its errors on the dashboard, and both alarms in the alarm status widget', () => {
      const [, dashboard] = one('AWS::CloudWatch::Dashboard');
      const body = JSON.stringify(dashboard.Properties.DashboardBody);
      expect(body).toContain('Orphan secret reconciler');
      for (const name of [METRIC_NAMES.orphanSecretsDeleted, METRIC_NAMES.orphanSecretsFailed]) expect(body).toContain(name);
      const alarmIds = ofType('AWS::CloudWatch::Alarm')
        .filter(([, r]) => /docs\/DEPLOY\.md#secretreconciler(failures|errors)$/.test(r.Properties.AlarmDescription))
        .map(([id]) => id);
      expect(alarmIds).toHaveLength(2);
      for (const id of alarmIds) expect(refersTo(dashboard.Properties.DashboardBody, id), id).toBe(true);
    });
  });

  it('alarms on the API 5xx rate', () => {
    const rate = alarms().find((a) => a.Metrics?.some((m: any) => String(m.Expression ?? '').includes('100 * errors / requests')));
    expect(rate).toBeDefined();
    expect(rate!.Metrics.find((m: any) => m.Id === 'errors').MetricStat.Metric.MetricName).toBe('5xx');
  });

  it('alarms when the start-run p99 duration exceeds 2 s', () => {
    const startEntry = deployedRoutes().find((r) => r.access.sendWork)!.entry;
    const [startId] = functionOf(startEntry);
    const p99 = alarms().find((a) => a.MetricName === 'Duration' && refersTo(a.Dimensions, startId));
    expect(p99?.Statistic).toBe('p99');
    expect(p99?.Threshold).toBe(2000);
  });

  it('sends every alarm to the SNS topic, which has the e-mail subscription from context', () => {
    const [snsId] = one('AWS::SNS::Topic');
    for (const a of alarms()) expect(a.AlarmActions, a.AlarmDescription).toEqual([{ Ref: snsId }]);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: CONTEXT.alarmEmail });
  });

  it('shows every product metric, queue depth, DLQ depth, worker errors and API latency on the dashboard', () => {
    const [, dashboard] = one('AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const name of Object.values(METRIC_NAMES)) expect(body, name).toContain(name);
    for (const m of ['ApproximateNumberOfMessagesVisible', 'Errors', 'Latency', '5xx']) expect(body, m).toContain(m);
    expect(body).toContain(queueId(messaging().workDlq));
  });
});
