/**
 * One chaos scenario: a tenant of its own on the shared table, a handful of active run keys, and
 * rounds of concurrent starts, worker invocations (own clock skew, own faulty DynamoDB client, may
 * die right after a checkpoint), cancels, reaper passes and DLQ handling — all over the real run
 * service, worker, DLQ handler and reaper. Then it settles (no new starts) until the lease + reaper
 * bounds have passed, and reports what it did.
 */
import { CATALOG } from '../../../shared/operations/catalog.js';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Logger } from '@aws-lambda-powertools/logger';
import { GraphError } from '../../../shared/graph/errors.js';
import { processDeadLetters } from '../../../shared/operations/dead-letters.js';
import type { OperationExecutor } from '../../../shared/operations/executor.js';
import type { ExecutorRegistry } from '../../../shared/operations/index.js';
import { reapLostRuns, REAPER_GRACE_MS } from '../../../shared/operations/reaper.js';
import { processWorkBatch } from '../../../shared/operations/work-batch.js';
import type { WorkerDeps } from '../../../shared/operations/worker.js';
import type { OperationType } from '../../../shared/operations/catalog.js';
import { DispatchFailedError } from '../../../shared/runs/errors.js';
import { TransitionError } from '../../../shared/runs/lifecycle.js';
import type { Run, RunFailure } from '../../../shared/runs/model.js';
import { RunService } from '../../../shared/runs/service.js';
import { fromRunItem, RunStore } from '../../../shared/store/run-store.js';
import { ChaosQueue, faultyDoc, hash32, rng, sqsRecord, type FaultLog, type Rng } from './chaos-kit.js';

export const LEASE_MS = 60_000;
export const VISIBILITY_MS = 90_000;
/** a scheduled reaper runs at least this often while the scenario settles */
const REAPER_PERIOD_MS = 3 * 60_000;
/** every run must be completed this long after the last start: lease + reaper grace + a few reaper periods */
export const COMPLETION_BOUND_MS = LEASE_MS + REAPER_GRACE_MS + 3 * REAPER_PERIOD_MS;

const KEYS: Array<{ type: OperationType; input: Record<string, unknown> }> = [
  { type: 'inventory.sync', input: {} },
  { type: 'inventory.sync', input: { categories: ['deviceConfigurations'] } },
  { type: 'directory_groups.sync', input: {} },
];

export interface ScenarioEnv {
  doc: DynamoDBDocumentClient;
  table: string;
  logger: Logger;
}

export interface ScenarioReport {
  index: number;
  seed: number;
  tenantId: string;
  userId: string;
  runs: Run[];
  faults: FaultLog;
  violations: string[];
  unexpectedErrors: string[];
  stats: { starts: number; invocations: number; crashes: number; timeouts: number; reaps: number; deadLetters: number; cancels: number };
}

class WorkerCrash extends Error {
  constructor() {
    super('the worker process died (chaos)');
    this.name = 'WorkerCrash';
  }
}

/** Errors the chaos itself provokes; anything else escaping a start, cancel or reaper pass is a finding. */
const expectedError = (err: unknown) => {
  const e = err as Error;
  return e instanceof DispatchFailedError || e instanceof TransitionError || e instanceof WorkerCrash
    || /\(chaos\)/.test(e?.message ?? '') || /kept changing/.test(e?.message ?? '');
};

/** The deterministic shape of a run's work: how many items, the chunk size, and which item fails or is skipped. */
function planOf(runId: string) {
  const h = hash32(runId);
  return { total: h % 151, chunk: 10 + (hash32(`${runId}:chunk`) % 70) };
}

export async function runScenario(index: number, seed: number, env: ScenarioEnv, runTag: string): Promise<ScenarioReport> {
  const dice = rng(seed);
  const tenantId = `chaos-${runTag}-${index}`;
  const userId = `u-${tenantId}`;
  const t0 = Date.now();
  let offset = 0;
  const now = () => t0 + offset;
  const advance = (ms: number) => { offset += ms; };
  const faultsOn = true; // faults stay on to the end: the bounds must hold under them
  const faults: FaultLog = { before: 0, after: 0 };
  const rates = { before: dice.pick([0, 0.02, 0.05, 0.1]), after: dice.pick([0, 0.02, 0.05, 0.1]), conflict: dice.fork(7).pick([0, 0.1, 0.3]) };
  const profile = {
    crash: dice.pick([0, 0.1, 0.3]),
    transient: dice.pick([0, 0.05, 0.15]),
    fatal: dice.pick([0, 0, 0.03]),
    // a Lambda timeout: the invocation dies mid-batch at any DynamoDB call; every message of its batch comes back
    timeout: dice.fork(8).pick([0, 0.1, 0.3]),
    itemFail: dice.pick([0, 0.05, 0.5]),
  };
  const queue = new ChaosQueue({
    now, dice: dice.fork(1),
    sendFailure: dice.pick([0, 0.05, 0.15]),
    sendFailureAfterAccept: dice.pick([0, 0.05]),
    duplicate: dice.pick([0, 0.1, 0.3]),
    ghostDelivery: dice.pick([0, 0.1, 0.25]),
    visibilityMs: VISIBILITY_MS,
    maxReceiveCount: 3,
    enabled: () => faultsOn,
  });
  let salt = 100;
  const docFor = (dead?: () => boolean): DynamoDBDocumentClient => {
    const faulty = faultyDoc(env.doc, dice.fork(salt++), rates, () => faultsOn, faults);
    if (!dead) return faulty;
    // A dead worker writes nothing more: its process is gone.
    return new Proxy(faulty, { get: (t, p) => (p === 'send' ? (...a: unknown[]) => (dead() ? Promise.reject(new WorkerCrash()) : (t.send as any)(...a)) : Reflect.get(t, p, t)) });
  };
  const skewedClock = (skew: number) => () => new Date(now() + skew);
  const serviceWith = (doc: DynamoDBDocumentClient, clock: () => Date) => {
    const store = new RunStore(doc, env.table, clock);
    return { store, service: new RunService({ catalog: CATALOG, store, queue, clock }) };
  };

  const execDice = dice.fork(2);
  const executor = (type: OperationType): OperationExecutor<number> => ({
    type,
    countNames: ['created'],
    initialCursor: () => 0,
    async processChunk(ctx, cursor) {
      const plan = planOf(ctx.run.id);
      advance(execDice.int(100, 1_500)); // the chunk's Graph calls take time
      if (execDice.chance(profile.transient)) throw new GraphError('graph_throttled', 'Graph kept answering 429 (chaos)', 429, 1000);
      if (execDice.chance(profile.fatal)) throw new Error('the executor blew up (chaos)');
      const end = Math.min(plan.total, cursor + plan.chunk);
      const failures: RunFailure[] = [];
      let skipped = 0;
      for (let i = cursor; i < end; i++) {
        const roll = hash32(`${ctx.run.id}:${i}`) / 2 ** 32;
        if (roll < profile.itemFail) failures.push({ code: 'graph_forbidden', message: `Graph answered 403 for item ${i}`, itemId: `item-${i}` });
        else if (roll > 0.95) skipped++;
      }
      const n = end - cursor;
      return {
        cursor: end,
        done: end >= plan.total,
        counts: { ...(cursor === 0 ? { total: plan.total } : {}), processed: n, failed: failures.length, skipped, succeeded: n - failures.length - skipped, created: n - failures.length - skipped },
        failures,
      };
    },
  });
  const executors: ExecutorRegistry = { 'inventory.sync': executor('inventory.sync'), 'directory_groups.sync': executor('directory_groups.sync') };

  const report: ScenarioReport = {
    index, seed, tenantId, userId, runs: [], faults, violations: [], unexpectedErrors: [],
    stats: { starts: 0, invocations: 0, crashes: 0, timeouts: 0, reaps: 0, deadLetters: 0, cancels: 0 },
  };
  const known: string[] = [];
  const note = (what: string) => (err: unknown) => {
    if (!expectedError(err)) report.unexpectedErrors.push(`${what}: ${(err as Error)?.name}: ${(err as Error)?.message}`);
  };

  async function start(d: Rng) {
    const key = d.pick(KEYS);
    const system = d.chance(0.25);
    const { service } = serviceWith(docFor(), skewedClock(d.int(-20_000, 20_000)));
    report.stats.starts++;
    try {
      const { run } = await service.startRun({
        tenantId, type: key.type, input: key.input, surface: system ? 'schedule' : 'api',
        initiator: system ? { userId: null, name: 'Scheduler' } : { userId, name: 'Chaos User' },
      });
      known.push(run.id);
    } catch (err) {
      if (err instanceof DispatchFailedError) known.push(err.run.id);
      else note('start')(err);
    }
  }

  async function invokeWorker(d: Rng) {
    const messages = queue.receive(d.int(1, 3));
    if (messages.length === 0) return;
    report.stats.invocations++;
    const clock = skewedClock(d.int(-20_000, 20_000));
    let crashed = false;
    const timeoutAfter = d.chance(profile.timeout) ? d.int(1, 30) : Infinity;
    let calls = 0;
    const dead = () => {
      if (!crashed && ++calls > timeoutAfter) {
        crashed = true;
        report.stats.timeouts++;
      }
      return crashed;
    };
    const { service } = serviceWith(docFor(dead), clock);
    const budgetEnd = clock().getTime() + d.int(25_000, 300_000);
    const deps: WorkerDeps = {
      service, queue, executors, logger: env.logger, clock,
      graphFor: (() => Promise.reject(new Error('no Graph in the chaos suite'))) as never,
      stores: null as never,
      settings: { leaseMs: LEASE_MS, checkpointEveryItems: d.int(20, 100), checkpointEveryMs: 2_000, reserveMs: 20_000 },
      afterCheckpoint: () => {
        if (!crashed && d.chance(profile.crash)) {
          crashed = true;
          report.stats.crashes++;
        }
        if (crashed) throw new WorkerCrash();
      },
    };
    const result = await processWorkBatch({ Records: messages.map(sqsRecord) }, { getRemainingTimeInMillis: () => budgetEnd - clock().getTime() }, deps)
      .catch((err) => { if (crashed) return null; throw err; });
    // A dead invocation acknowledges nothing: its messages come back after the visibility timeout.
    if (crashed || !result) return;
    const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
    for (const m of messages) if (!failed.has(m.messageId)) queue.ack(m.messageId);
  }

  async function cancel(d: Rng) {
    if (known.length === 0) return;
    const { service } = serviceWith(docFor(), skewedClock(d.int(-20_000, 20_000)));
    report.stats.cancels++;
    await service.requestCancel(tenantId, d.pick(known)).catch(note('cancel'));
  }

  async function reaperPass(d: Rng) {
    const clock = skewedClock(d.int(-20_000, 20_000));
    const { store, service } = serviceWith(docFor(), clock);
    // Other scenarios share the table and live on other clocks: this reaper sees only its tenant.
    const scoped = Object.create(store) as RunStore;
    scoped.listActive = async (...args) => {
      const page = await store.listActive(...args);
      return { ...page, items: page.items.filter((r) => r.tenantId === tenantId) };
    };
    try {
      const out = await reapLostRuns({ service, store: scoped, logger: env.logger, clock });
      report.stats.reaps += out.dispatchLost.length + out.workerLost.length;
    } catch (err) {
      note('reaper')(err);
    }
  }

  async function deadLetterPass(d: Rng) {
    const messages = queue.receiveDead(d.int(1, 3));
    if (messages.length === 0) return;
    const { service } = serviceWith(docFor(), skewedClock(d.int(-20_000, 20_000)));
    const result = await processDeadLetters({ Records: messages.map(sqsRecord) }, {}, { service, logger: env.logger });
    const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
    for (const m of messages) if (!failed.has(m.messageId)) { queue.ack(m.messageId, true); report.stats.deadLetters++; }
  }

  // ── chaos rounds ──
  const rounds = dice.int(3, 6);
  for (let r = 0; r < rounds; r++) {
    advance(dice.chance(0.12) ? dice.int(60_000, 20 * 60_000) : dice.int(0, 45_000));
    const d = dice.fork(1000 + r);
    const tasks: Promise<unknown>[] = [];
    for (let i = r === 0 ? d.int(1, 2) : d.int(0, 1); i > 0; i--) tasks.push(start(d.fork(i)));
    for (let i = d.int(0, 3); i > 0; i--) tasks.push(invokeWorker(d.fork(10 + i)));
    if (d.chance(0.2)) tasks.push(cancel(d.fork(20)));
    if (d.chance(0.15)) tasks.push(reaperPass(d.fork(21)));
    if (d.chance(0.3)) tasks.push(deadLetterPass(d.fork(22)));
    await Promise.all(tasks);
    // Keys are checked on every committed state from the stream (see the test); here only once settled.
  }

  // ── settle: no new starts; workers, DLQ handler and a periodic reaper until everything completed ──
  const deadline = now() + COMPLETION_BOUND_MS;
  let lastReap = now();
  for (let step = 0; now() <= deadline; step++) {
    const d = dice.fork(5000 + step);
    const tasks: Promise<unknown>[] = [invokeWorker(d.fork(1)), invokeWorker(d.fork(2)), deadLetterPass(d.fork(3))];
    if (now() - lastReap >= REAPER_PERIOD_MS) {
      lastReap = now();
      tasks.push(reaperPass(d.fork(4)));
    }
    await Promise.all(tasks);
    if (queue.idle && (await tenantItems(env.doc, env.table, tenantId)).runs.every((x) => x.status === 'completed')) break;
    // Idle: jump ahead to when something can happen (a message reappears or the reaper is due).
    advance(queue.messages.length || queue.dlq.length ? 15_000 : 60_000);
  }
  const final = await tenantItems(env.doc, env.table, tenantId);
  report.runs = final.runs;
  for (const run of final.runs) {
    if (run.status !== 'completed') report.violations.push(`run ${run.id} still ${run.status} ${COMPLETION_BOUND_MS / 60_000} min after the last start (lease ${run.leaseExpiresAt}, now ${new Date(now()).toISOString()})`);
  }
  await checkTenantKeys(env.doc, env.table, tenantId, report.violations, 'settled');
  return report;
}

/** The tenant partition (runs and active key items), read consistently. Only tests read it whole. */
export async function tenantItems(doc: DynamoDBDocumentClient, table: string, tenantId: string) {
  const items: Record<string, any>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `TENANT#${tenantId}` }, ConsistentRead: true, ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return { runs: items.filter((i) => i.kind === 'run').map(fromRunItem), keys: items.filter((i) => i.kind === 'activeKey') };
}

/**
 * Active run keys agree with the runs: at most one active run per key, every key item points at an
 * existing active run of that key, and every active run holds its key.
 */
export function checkKeys(runs: Run[], keys: Record<string, any>[], violations: string[], when: string) {
  const byId = new Map(runs.map((r) => [r.id, r]));
  const activeByKey = new Map<string, string[]>();
  for (const r of runs.filter((x) => x.status !== 'completed')) {
    const k = `${r.tenantId}|ACTIVEKEY#${r.type}#${r.identityHash}`;
    activeByKey.set(k, [...(activeByKey.get(k) ?? []), r.id]);
  }
  for (const [k, ids] of activeByKey) {
    if (ids.length > 1) violations.push(`${when}: ${ids.length} active runs for key ${k}: ${ids.join(', ')}`);
  }
  const held = new Map(keys.map((i) => [`${String(i.pk).slice('TENANT#'.length)}|${i.sk}`, i.runId as string]));
  for (const [k, runId] of held) {
    const run = byId.get(runId);
    if (!run) violations.push(`${when}: key ${k} points at missing run ${runId}`);
    else if (run.status === 'completed') violations.push(`${when}: key ${k} is held by completed run ${runId}`);
    else if (`${run.tenantId}|ACTIVEKEY#${run.type}#${run.identityHash}` !== k) violations.push(`${when}: key ${k} points at run ${runId} of another key`);
  }
  for (const [k, ids] of activeByKey) {
    for (const id of ids) if (held.get(k) !== id) violations.push(`${when}: active run ${id} does not hold its key ${k} (held by ${held.get(k) ?? 'nobody'})`);
  }
}

async function checkTenantKeys(doc: DynamoDBDocumentClient, table: string, tenantId: string, violations: string[], when: string) {
  const { runs, keys } = await tenantItems(doc, table, tenantId);
  checkKeys(runs, keys, violations, when);
}
