/**
 * The one settings object (issue 12 §6): parsed from the environment once, defaults as documented,
 * an invalid value fails with a message naming the variable (never its value), and the lease is
 * derived from the worker's timeout and stays below the work queue's visibility timeout.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidSettingsError, leaseMsFor, parseSettings, resetSettings, setSettings, settings, WORKER_LEASE_MS } from '../../shared/settings.js';
import { queues, WORKER_TIMEOUT_SECONDS } from '../../shared/wiring.js';
import { DEFAULT_WORKER_SETTINGS } from '../../shared/operations/worker.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

afterEach(() => resetSettings());

/** Every process is given the cursor key (here: its Secrets Manager ARN, as deployed). */
const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:CursorKey-AbCdEf';
const KEY = { CURSOR_SECRET_ARN: ARN };

describe('parseSettings', () => {
  it('gives the documented defaults for an environment with only the cursor key ARN', () => {
    expect(parseSettings({ ...KEY })).toEqual({
      tableName: 'operation-runs',
      workQueueUrl: undefined,
      eventBusName: 'operation-runs',
      dynamodbEndpoint: undefined,
      sqsEndpoint: undefined,
      region: 'us-east-1',
      runRetentionDays: 90,
      cursorSecret: undefined,
      cursorSecretArn: ARN,
      localRuntime: false,
      scheduleQueueUrl: undefined,
      platformAdmins: [],
      graphSecretPrefix: 'operation-runs/graph/',
      graphSecretOrphanGraceMinutes: 60,
      localSecretsFile: undefined,
      graphSimUrl: undefined,
      dispatchMode: 'direct',
      quotas: { maxActiveRunsPerTenant: 50, maxSchedulesPerTenant: 20, scheduleMinIntervalMinutes: 15 },
      graph: { batching: true },
      worker: { timeoutSeconds: 120, leaseMs: 120_000 },
      observability: { serviceName: 'operation-runs', logLevel: 'INFO', metricsNamespace: 'OperationRuns', metricsEnabled: true },
    });
  });

  it('reads every variable the functions are deployed or run with', () => {
    const s = parseSettings({
      TABLE_NAME: 'runs-prod',
      WORK_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/work',
      EVENT_BUS_NAME: 'bus-prod',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      SQS_ENDPOINT: 'http://127.0.0.1:9324',
      AWS_REGION: 'eu-west-1',
      RUN_RETENTION_DAYS: '7',
      CURSOR_SECRET: 'fake-cursor-key',
      POWERTOOLS_SERVICE_NAME: 'svc',
      POWERTOOLS_LOG_LEVEL: 'warn',
      POWERTOOLS_METRICS_NAMESPACE: 'Ns',
      METRICS_DISABLED: '1',
      SCHEDULE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/schedules',
      MAX_ACTIVE_RUNS_PER_TENANT: '7',
      MAX_SCHEDULES_PER_TENANT: '3',
      SCHEDULE_MIN_INTERVAL_MINUTES: '60',
      PLATFORM_ADMINS: ' alice, bob ,,alice',
      GRAPH_SECRET_PREFIX: 'operation-runs/graph/Prod/',
      GRAPH_SECRET_ORPHAN_GRACE_MINUTES: '90',
    });
    expect(s).toMatchObject({
      scheduleQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/schedules',
      quotas: { maxActiveRunsPerTenant: 7, maxSchedulesPerTenant: 3, scheduleMinIntervalMinutes: 60 },
      tableName: 'runs-prod',
      workQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/work',
      eventBusName: 'bus-prod',
      dynamodbEndpoint: 'http://127.0.0.1:8000',
      sqsEndpoint: 'http://127.0.0.1:9324',
      region: 'eu-west-1',
      runRetentionDays: 7,
      cursorSecret: 'fake-cursor-key',
      observability: { serviceName: 'svc', logLevel: 'WARN', metricsNamespace: 'Ns', metricsEnabled: false },
      platformAdmins: ['alice', 'bob'],
      graphSecretPrefix: 'operation-runs/graph/Prod/',
      graphSecretOrphanGraceMinutes: 90,
    });
  });

  it('takes LOG_LEVEL when POWERTOOLS_LOG_LEVEL is unset, and treats an empty variable as unset', () => {
    expect(parseSettings({ ...KEY, LOG_LEVEL: 'debug' }).observability.logLevel).toBe('DEBUG');
    expect(parseSettings({ ...KEY, LOG_LEVEL: 'debug', POWERTOOLS_LOG_LEVEL: 'ERROR' }).observability.logLevel).toBe('ERROR');
    expect(parseSettings({ ...KEY, TABLE_NAME: '', RUN_RETENTION_DAYS: '' })).toMatchObject({ tableName: 'operation-runs', runRetentionDays: 90 });
    expect(parseSettings({ ...KEY, METRICS_DISABLED: '0' }).observability.metricsEnabled).toBe(true);
    expect(parseSettings({ ...KEY, GRAPH_BATCHING: '0' }).graph.batching).toBe(false);
    expect(parseSettings({ ...KEY, GRAPH_BATCHING: 'true' }).graph.batching).toBe(true);
  });

  it('has no constant cursor key: a cold start given neither CURSOR_SECRET nor CURSOR_SECRET_ARN fails (issue 15, item 5)', () => {
    expect(() => parseSettings({})).toThrow(InvalidSettingsError);
    expect(() => parseSettings({ CURSOR_SECRET: '' })).toThrow(/CURSOR_SECRET_ARN: required/);
    expect(() => parseSettings({ CURSOR_SECRET_ARN: 'not-an-arn' })).toThrow(/CURSOR_SECRET_ARN: /);
    expect(parseSettings({ CURSOR_SECRET: 'fake-local-cursor-key' })).toMatchObject({ cursorSecret: 'fake-local-cursor-key', cursorSecretArn: undefined });
  });

  it('dispatches directly unless DISPATCH_MODE=outbox, and refuses any other mode', () => {
    expect(parseSettings({ ...KEY, DISPATCH_MODE: '' }).dispatchMode).toBe('direct');
    expect(parseSettings({ ...KEY, DISPATCH_MODE: 'outbox' }).dispatchMode).toBe('outbox');
    expect(() => parseSettings({ ...KEY, DISPATCH_MODE: 'stream' })).toThrow(/DISPATCH_MODE/);
  });

  it('refuses an orphan grace period shorter than a request and ListSecrets\' consistency (10 min) or longer than a week', () => {
    expect(() => parseSettings({ ...KEY, GRAPH_SECRET_ORPHAN_GRACE_MINUTES: '5' })).toThrow(/GRAPH_SECRET_ORPHAN_GRACE_MINUTES/);
    expect(() => parseSettings({ ...KEY, GRAPH_SECRET_ORPHAN_GRACE_MINUTES: '10081' })).toThrow(/GRAPH_SECRET_ORPHAN_GRACE_MINUTES/);
    expect(parseSettings({ ...KEY, GRAPH_SECRET_ORPHAN_GRACE_MINUTES: '10' }).graphSecretOrphanGraceMinutes).toBe(10);
  });

  it('says the local runtime is running only when LOCAL_RUNTIME=1', () => {
    expect(parseSettings({ ...KEY }).localRuntime).toBe(false);
    expect(parseSettings({ ...KEY, LOCAL_RUNTIME: '0' }).localRuntime).toBe(false);
    expect(parseSettings({ ...KEY, LOCAL_RUNTIME: '1' }).localRuntime).toBe(true);
    expect(() => parseSettings({ ...KEY, LOCAL_RUNTIME: 'yes' })).toThrow(/LOCAL_RUNTIME/);
  });

  it.each([
    ['RUN_RETENTION_DAYS', 'ninety'],
    ['RUN_RETENTION_DAYS', '0'],
    ['RUN_RETENTION_DAYS', '-3'],
    ['WORK_QUEUE_URL', 'not a url'],
    ['DYNAMODB_ENDPOINT', 'ftp://127.0.0.1:8000'],
    ['POWERTOOLS_LOG_LEVEL', 'LOUD'],
    ['METRICS_DISABLED', 'yes'],
    ['GRAPH_BATCHING', 'sometimes'],
    ['TABLE_NAME', '   '],
    ['MAX_ACTIVE_RUNS_PER_TENANT', '0'],
    ['MAX_ACTIVE_RUNS_PER_TENANT', '2.5'],
    ['MAX_SCHEDULES_PER_TENANT', 'many'],
    ['SCHEDULE_MIN_INTERVAL_MINUTES', '-15'],
  ])('rejects %s=%j with a message naming the variable', (name, value) => {
    let error: unknown;
    try {
      parseSettings({ ...KEY, [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvalidSettingsError);
    expect((error as Error).message).toMatch(new RegExp(`^invalid settings in the environment: ${name}: `));
    if (value.trim().length > 2) expect((error as Error).message).not.toContain(value);
  });

  it('never echoes a value, so a secret cannot reach a log', () => {
    expect(() => parseSettings({ CURSOR_SECRET: 'fake-secret-value', RUN_RETENTION_DAYS: 'fake-secret-value' })).toThrow(/RUN_RETENTION_DAYS/);
    expect(() => parseSettings({ CURSOR_SECRET: 'fake-secret-value', RUN_RETENTION_DAYS: 'fake-secret-value' })).not.toThrow(/fake-secret-value/);
  });
});

describe('settings()', () => {
  it('parses the environment once and keeps it until reset', () => {
    const before = process.env.RUN_RETENTION_DAYS;
    try {
      process.env.RUN_RETENTION_DAYS = '11';
      resetSettings();
      const first = settings();
      expect(first.runRetentionDays).toBe(11);
      process.env.RUN_RETENTION_DAYS = '12';
      expect(settings()).toBe(first);
      resetSettings();
      expect(settings().runRetentionDays).toBe(12);
      process.env.RUN_RETENTION_DAYS = 'bad';
      resetSettings();
      expect(() => settings()).toThrow(InvalidSettingsError);
    } finally {
      if (before === undefined) delete process.env.RUN_RETENTION_DAYS;
      else process.env.RUN_RETENTION_DAYS = before;
    }
  });

  it('serves settings a test installs', () => {
    const mine = parseSettings({ ...KEY, TABLE_NAME: 'mine' });
    setSettings(mine);
    expect(settings()).toBe(mine);
  });
});

describe('the lease', () => {
  it('is derived from the worker timeout in the wiring, and the worker uses it', () => {
    expect(WORKER_LEASE_MS).toBe(leaseMsFor(WORKER_TIMEOUT_SECONDS));
    expect(WORKER_LEASE_MS).toBe(queues.work.timeoutSeconds * 1000);
    expect(DEFAULT_WORKER_SETTINGS.leaseMs).toBe(WORKER_LEASE_MS);
    expect(parseSettings({ ...KEY }).worker.leaseMs).toBe(WORKER_LEASE_MS);
  });

  it("stays below the work queue's visibility timeout, so a redelivery finds a crashed worker's lease expired", () => {
    expect(WORKER_LEASE_MS).toBeLessThan(queues.work.visibilityTimeoutSeconds * 1000);
  });
});

describe('the environment is read in one place', () => {
  const sources = (dir: string): string[] =>
    readdirSync(path.join(ROOT, dir)).flatMap((name) => {
      const rel = path.join(dir, name);
      if (statSync(path.join(ROOT, rel)).isDirectory()) return sources(rel);
      return /\.(ts|mts|js|mjs)$/.test(name) ? [rel] : [];
    });

  it('no module of shared/ or functions/ but shared/settings.ts mentions process.env', () => {
    const readers = [...sources('shared'), ...sources('functions')].filter((f) => f !== 'shared/settings.ts' && readFileSync(path.join(ROOT, f), 'utf8').includes('process.env'));
    expect(readers).toEqual([]);
    expect(readFileSync(path.join(ROOT, 'shared/settings.ts'), 'utf8')).toContain('process.env');
  });
});
