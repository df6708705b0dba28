/**
 * One chaos scenario: a tenant of its own on the shared table and on a simulated Graph of its own
 * (graph-tenant.ts: a small tenant, the fixture the eight types refer to, the scenario's Graph
 * faults), and rounds of concurrent starts of all eight operation types through their real start
 * plans, worker invocations driving the REAL executors (EXECUTORS) against that Graph (own clock
 * skew, own faulty DynamoDB client, may die right after a checkpoint or mid-batch), cancels, reaper
 * passes and DLQ handling — all over the real run service, worker, DLQ handler and reaper. The
 * domain-row invariant (domain-rows.ts) is checked while a round runs, after each round and once
 * settled. Then it settles (no new starts) until the lease + reaper bounds have passed, and reports
 * what it did.
 */
import { CATALOG } from '../../../shared/operations/catalog.js';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Logger } from '@aws-lambda-powertools/logger';
import { processDeadLetters } from '../../../shared/operations/dead-letters.js';
import { EXECUTORS, type ExecutorRegistry } from '../../../shared/operations/index.js';
import { inputSchemas, planStart, OPERATION_TYPES } from '../../../shared/operations/catalog.js';
import { LocalSecretResolver } from '../../../shared/graph/secrets.js';
import { graphClientsFor } from '../../../shared/graph/tenant-clients.js';
import { msalAppTokens } from '../../../shared/graph/msal-tokens.js';
import { makeStores } from '../../../shared/store/stores.js';
import { reapLostRuns, REAPER_GRACE_MS } from '../../../shared/operations/reaper.js';
import { processWorkBatch } from '../../../shared/operations/work-batch.js';
import type { WorkerDeps } from '../../../shared/operations/worker.js';
import type { OperationType } from '../../../shared/operations/catalog.js';
import { DispatchFailedError, PreconditionFailedError } from '../../../shared/runs/errors.js';
import { TransitionError } from '../../../shared/runs/lifecycle.js';
import type { Run } from '../../../shared/runs/model.js';
import { RunService } from '../../../shared/runs/service.js';
import { fromRunItem, RunStore } from '../../../shared/store/run-store.js';
import { ChaosQueue, faultyDoc, rng, sqsRecord, type FaultLog, type Rng } from './chaos-kit.js';
import { checkDomainRows } from './domain-rows.js';
import { pickStart, setUpTenant } from './graph-tenant.js';

export const LEASE_MS = 60_000;
export const VISIBILITY_MS = 90_000;
/** a scheduled reaper runs at least this often while the scenario settles */
const REAPER_PERIOD_MS = 3 * 60_000;
/** every run must be completed this long after the last start: lease + reaper grace + a few reaper periods */
export const COMPLETION_BOUND_MS = LEASE_MS + REAPER_GRACE_MS + 3 * REAPER_PERIOD_MS;

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
  /** the scenario's Graph faults (GRAPH_SIM_FAULTS spec) */
  graphFaults: string;
  /** Graph requests the simulator answered, by status class */
  graphRequests: { total: number; throttled: number; unavailable: number; refused: number };
  stats: {
    starts: number; refused: number; invocations: number; crashes: number; timeouts: number; reaps: number; deadLetters: number; cancels: number;
    /** domain-row invariant checks made (one per run and row read together) */
    rowChecks: number;
  };
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
  return e instanceof DispatchFailedError || e instanceof TransitionError || e instanceof WorkerCrash || e instanceof PreconditionFailedError
    || /\(chaos\)/.test(e?.message ?? '') || /kept changing/.test(e?.message ?? '');
};

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
    fatal: dice.pick([0, 0, 0.03]),
    // a Lambda timeout: the invocation dies mid-batch at any DynamoDB call or Graph request; every message of its batch comes back
    timeout: dice.fork(8).pick([0, 0.1, 0.3]),
  };
  // The executors' own DynamoDB calls (stores) fail less often than the run's: the SDK retries
  // throttling before an error reaches them, and every such error fails the run.
  const storeRates = { before: rates.before / 4, after: rates.after / 4, conflict: rates.conflict };
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
  /** A dead worker writes nothing more and asks Graph nothing more: its process is gone. */
  const killable = <T extends object>(target: T, method: keyof T & string, dead?: () => boolean): T => (!dead ? target
    : new Proxy(target, { get: (t, p) => (p === method ? (...a: unknown[]) => (dead() ? Promise.reject(new WorkerCrash()) : (t[method] as any)(...a)) : Reflect.get(t, p, t)) }));
  const docFor = (dead?: () => boolean, r = rates): DynamoDBDocumentClient => killable(faultyDoc(env.doc, dice.fork(salt++), r, () => faultsOn, faults), 'send', dead);
  const skewedClock = (skew: number) => () => new Date(now() + skew);
  const serviceWith = (doc: DynamoDBDocumentClient, clock: () => Date) => {
    const store = new RunStore(doc, env.table, clock);
    return { store, service: new RunService({ catalog: CATALOG, store, queue, clock }) };
  };

  // The real executors of every type, as the worker gets them (shared/operations/index.ts), each chunk
  // taking some time; rarely one blows up (a bug in an executor fails its run, nothing else).
  const execDice = dice.fork(2);
  const executors: ExecutorRegistry = Object.fromEntries(OPERATION_TYPES.map((type) => [type, {
    ...EXECUTORS[type],
    processChunk: (ctx: Parameters<(typeof EXECUTORS)[typeof type]['processChunk']>[0], cursor: unknown) => {
      advance(execDice.int(50, 800));
      if (execDice.chance(profile.fatal)) return Promise.reject(new Error('the executor blew up (chaos)'));
      return EXECUTORS[type].processChunk(ctx, cursor);
    },
  }]));
  const T0 = Date.now();
  const tenant = await setUpTenant(dice.fork(9), seed, env.doc, env.table, tenantId);
  const graphFetch = (dead: () => boolean): typeof fetch => (input, init) => (dead() ? Promise.reject(new WorkerCrash()) : fetch(input, init));

  const report: ScenarioReport = {
    index, seed, tenantId, userId, runs: [], faults, violations: [], unexpectedErrors: [], graphFaults: tenant.faults,
    graphRequests: { total: 0, throttled: 0, unavailable: 0, refused: 0 },
    stats: { starts: 0, refused: 0, invocations: 0, crashes: 0, timeouts: 0, reaps: 0, deadLetters: 0, cancels: 0, rowChecks: 0 },
  };
  try {
    return await play();
  } finally {
    const requests = tenant.sim.requests.filter((r) => r.version !== null);
    report.graphRequests = {
      total: requests.length,
      throttled: requests.filter((r) => r.status === 429).length,
      unavailable: requests.filter((r) => r.status >= 500).length,
      refused: requests.filter((r) => r.status === 400 || r.status === 403).length,
    };
    await tenant.sim.stop();
  }

  async function play(): Promise<ScenarioReport> {
  const known: string[] = [];
  const runNowRuns: string[] = [];
  /** every run this scenario started (or was deduplicated to), as its start answered it */
  const startedRuns = new Map<string, Run>();
  const note = (what: string) => (err: unknown) => {
    if (!expectedError(err)) report.unexpectedErrors.push(`${what}: ${(err as Error)?.name}: ${(err as Error)?.message}`);
  };

  /** Starts the way POST /runs does: the type's strict schema, its start plan (422 before any write), then the run service. */
  async function start(d: Rng) {
    const { type, input } = pickStart(d, tenant, runNowRuns);
    const system = d.chance(0.25);
    const clock = skewedClock(d.int(-20_000, 20_000));
    const doc = docFor();
    const { service } = serviceWith(doc, clock);
    report.stats.starts++;
    try {
      const parsed = inputSchemas[type].parse(input) as Record<string, unknown>;
      const plan = await planStart(type, tenantId, parsed, { stores: makeStores({ doc, table: env.table, clock }), clock });
      const { run } = await service.startRun({
        tenantId, type, input: parsed, surface: system ? 'schedule' : 'api',
        initiator: system ? { userId: null, name: 'Scheduler' } : { userId, name: 'Chaos User' }, ...plan,
      });
      remember(run);
    } catch (err) {
      if (err instanceof DispatchFailedError) remember(err.run);
      else if (err instanceof PreconditionFailedError) report.stats.refused++;
      else note('start')(err);
    }
  }

  function remember(run: Run) {
    if (!known.includes(run.id)) known.push(run.id);
    if (!startedRuns.has(run.id)) startedRuns.set(run.id, run);
    if (run.type === 'backup_schedule.run_now' && !runNowRuns.includes(run.id)) runNowRuns.push(run.id);
  }

  /** The domain-row invariant over every run this scenario knows (domain-rows.ts). */
  async function checkRows(when: string, runs = [...startedRuns.values()]) {
    report.stats.rowChecks += await checkDomainRows(env.doc, env.table, runs, report.violations, when);
  }

  async function invokeWorker(d: Rng) {
    const messages = queue.receive(d.int(1, 3));
    if (messages.length === 0) return;
    report.stats.invocations++;
    const clock = skewedClock(d.int(-20_000, 20_000));
    let crashed = false;
    // small tenants make an invocation a dozen or so calls: the timeout strikes within them
    const timeoutAfter = d.chance(profile.timeout) ? d.int(1, 12) : Infinity;
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
    // A cold container: its own Graph client (token fetched on first use); waits pass simulated time.
    const graphDice = d.fork(3);
    const graphFor = graphClientsFor(async () => tenant.graph, new LocalSecretResolver(), {
      appTokens: msalAppTokens, sleep: async (ms) => advance(ms), now: () => clock().getTime(), random: graphDice.next, fetch: graphFetch(dead),
    });
    const deps: WorkerDeps = {
      service, queue, executors, logger: env.logger, clock, graphFor,
      stores: makeStores({ doc: docFor(dead, storeRates), table: env.table, clock }),
      // checkpoints every few items: the tenants are small, and cancels and crashes land at checkpoints
      settings: { leaseMs: LEASE_MS, checkpointEveryItems: d.int(1, 10), checkpointEveryMs: 2_000, reserveMs: 20_000 },
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

  const TS = Date.now();
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
    // Mid-way, while the round's writers run: each run read together with its rows.
    tasks.push(checkRows(`round ${r}, mid-way`));
    await Promise.all(tasks);
    await checkRows(`after round ${r}`);
    // Keys are checked on every committed state from the stream (see the test); here only once settled.
  }

  const T1 = Date.now();
  // ── settle: no new starts; workers, DLQ handler and a periodic reaper until everything completed ──
  const deadline = now() + COMPLETION_BOUND_MS;
  let lastReap = now();
  let settleSteps = 0;
  for (let step = 0; now() <= deadline; step++) {
    settleSteps++;
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
  if (process.env.CHAOS_PROFILE) {
    // Simulated minutes from each run's creation to its completion (each writer's clock is skewed by up to ±20 s).
    const took = final.runs.map((x) => `${x.type} ${x.outcome ?? x.status}${x.failures[0] ? ` (${x.failures[0].code})` : ""} attempt ${x.attempt} ${x.completedAt ? ((Date.parse(x.completedAt) - Date.parse(x.createdAt)) / 60_000).toFixed(1) : '-'} min`);
    console.log(`PROFILE ${index}: setup ${TS - T0} rounds ${T1 - TS} settle ${Date.now() - T1} steps ${settleSteps} runs ${final.runs.length}: ${took.join('; ')}`);
  }
  report.runs = final.runs;
  for (const run of final.runs) {
    if (run.status !== 'completed') report.violations.push(`run ${run.id} still ${run.status} ${COMPLETION_BOUND_MS / 60_000} min after the last start (lease ${run.leaseExpiresAt}, now ${new Date(now()).toISOString()})`);
  }
  await checkTenantKeys(env.doc, env.table, tenantId, report.violations, 'settled');
  await checkRows('settled', final.runs);
  return report;
  }
}

/** The tenant partition's runs and active key items, read consistently. Only tests read it whole. */
export async function tenantItems(doc: DynamoDBDocumentClient, table: string, tenantId: string) {
  const items: Record<string, any>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    // Only runs and keys come back (the partition also holds the types' domain data).
    const out = await doc.send(new QueryCommand({
      TableName: table, KeyConditionExpression: 'pk = :pk', FilterExpression: '#k IN (:run, :key)', ExpressionAttributeNames: { '#k': 'kind' },
      ExpressionAttributeValues: { ':pk': `TENANT#${tenantId}`, ':run': 'run', ':key': 'activeKey' }, ConsistentRead: true, ExclusiveStartKey: start,
    }));
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
