/**
 * Chaos suite (issue 9): randomized, seeded scenarios over the real run service, worker, DLQ handler,
 * reaper, stream publisher and notifier on DynamoDB Local, with faults at every I/O step. Then the
 * guarantees of SPEC §4, §6, §7, §8 are checked on the table, on its real stream (every committed
 * version of every run) and on what reached the bus and the users.
 *
 * Since issue 14 the scenarios start all eight operation types through their real start plans and
 * the worker drives their REAL executors against a simulated Microsoft Graph of each scenario's own
 * (small tenant, throttling with Retry-After, 503s, unavailable categories, forbidden policies), and
 * every run's domain rows (its module's `records`) are checked mid-way, after each round and settled:
 * no row unfinished while its run is completed, none finished while its run is active.
 *
 *   CHAOS_SCENARIOS=2000   more scenarios (default 500)
 *   CHAOS_SEED=1234        the base seed (printed on failure; random per run, fixed under CI=true); CHAOS_ONLY=17 replays scenario 17 alone
 *   CHAOS_CONCURRENCY=10   scenarios in flight at once (each has its own tenant on the shared table and its own simulated Graph)
 *   CHAOS_PROFILE=1        prints each scenario's setup / rounds / settle times and each run's simulated duration
 *   CHAOS_LOG=INFO         the worker's, reaper's and DLQ handler's log lines (silent by default)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput, type PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { EventBridgePublisher } from '../../shared/events/eventbridge-publisher.js';
import { publishStreamBatch } from '../../shared/events/stream-publisher.js';
import { notifyInitiator } from '../../shared/notifications/notifier.js';
import { DirectoryStore } from '../../shared/store/directory-store.js';
import { logger, makeLogger } from '../../shared/observability/logger.js';
import { fromRunItem, RunStore } from '../../shared/store/run-store.js';
import { NotificationStore } from '../../shared/store/notification-store.js';
import type { Run } from '../../shared/runs/model.js';
import { DETAIL_TYPES } from '../../shared/wiring.js';
import { OPERATION_TYPES } from '../../shared/operations/catalog.js';
import { testEnv } from '../support/services.js';
import { faultyDoc, hash32, rng, StreamReader, type Rng } from './support/chaos-kit.js';
import { checkKeys, runScenario, type ScenarioReport } from './support/scenario.js';

const SCENARIOS = Number(process.env.CHAOS_SCENARIOS ?? 500);
// CI replays one base seed, so a red CI run is about the change under test; everywhere else each run
// explores a new one. A seed that finds something is written down (BENCHMARKS.md, "Chaos findings").
const CI_SEED = 503094215;
const BASE_SEED = Number(process.env.CHAOS_SEED ?? (process.env.CI ? CI_SEED : Math.floor(Math.random() * 2 ** 31)));
const ONLY = process.env.CHAOS_ONLY !== undefined ? Number(process.env.CHAOS_ONLY) : undefined;
const CONCURRENCY = Number(process.env.CHAOS_CONCURRENCY ?? 10);
const GROUP = 50; // scenarios per test: each test ends with the stream, bus and notification checks
const RUN_TAG = BASE_SEED.toString(36);
const replay = (i?: number) => `replay: CHAOS_SEED=${BASE_SEED}${i === undefined ? '' : ` CHAOS_ONLY=${i}`} npx vitest run test/chaos/run-guarantees.test.ts`;

type Env = Awaited<ReturnType<typeof testEnv>>;
let env: Env;
let stream: StreamReader;
const silent = makeLogger('chaos');
const eventBridge = mockClient(EventBridgeClient);
const all: ScenarioReport[] = [];

beforeAll(async () => {
  silent.setLogLevel((process.env.CHAOS_LOG as never) ?? 'SILENT');
  logger.setLogLevel('SILENT'); // the stream publisher and notifier log through the shared logger
  env = await testEnv();
  stream = new StreamReader(env.dynamoEndpoint, env.dynamo, env.table);
  console.log(`chaos: ${SCENARIOS} scenarios, ${replay()}`);
});
afterAll(() => {
  stream?.close();
  eventBridge.restore();
});

const seedOf = (i: number) => hash32(`${BASE_SEED}:${i}`);
const statusRank = { queued: 0, running: 1, completed: 2 } as const;
const detailTypeFor = { queued: DETAIL_TYPES.queued, running: DETAIL_TYPES.started, completed: DETAIL_TYPES.completed } as const;

/** Runs the given scenarios with CONCURRENCY in flight. */
async function runScenarios(indexes: number[]): Promise<ScenarioReport[]> {
  const out: ScenarioReport[] = [];
  let next = 0;
  const lane = async () => {
    while (next < indexes.length) {
      const i = indexes[next++];
      out.push(await runScenario(i, seedOf(i), { doc: env.doc, table: env.table, logger: silent }, RUN_TAG));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, indexes.length) }, lane));
  return out.sort((a, b) => a.index - b.index);
}

const runImage = (img: unknown): Run | null => {
  if (!img) return null;
  const item = unmarshall(img as never);
  return item.kind === 'run' ? fromRunItem(item) : null;
};

/**
 * What the stream says about every run: each committed version in order. Checks the per-version
 * invariants (status only forward, completed never changes, counts, failures cap) and, per active run
 * key, that no committed state ever had two active runs.
 */
function checkStream(records: DynamoDBRecord[], violations: string[]) {
  const lastImage = new Map<string, Run>();
  const activeByKey = new Map<string, Set<string>>();
  const expected = new Set<string>();
  for (const record of records) {
    const before = runImage(record.dynamodb?.OldImage);
    const after = runImage(record.dynamodb?.NewImage);
    const run = after ?? before;
    if (!run) continue;
    const prev = lastImage.get(run.id);
    if (prev?.status === 'completed') violations.push(`completed run ${run.id} changed again (${record.eventName} to version ${after?.version}, ${after?.status}/${after?.outcome})`);
    if (before && after && statusRank[after.status] < statusRank[before.status]) violations.push(`run ${run.id} moved back from ${before.status} to ${after.status}`);
    if (!after) continue;
    if (prev && after.version !== prev.version + 1) violations.push(`run ${run.id} version jumped ${prev.version} → ${after.version}`);
    lastImage.set(run.id, after);
    if ((before?.status ?? null) !== after.status) expected.add(`${after.id}|${detailTypeFor[after.status]}`);
    const c = after.summaryCounts;
    if (c.processed !== c.succeeded + c.failed + c.skipped) violations.push(`run ${run.id} v${after.version}: processed ${c.processed} ≠ succeeded ${c.succeeded} + failed ${c.failed} + skipped ${c.skipped}`);
    if (c.total > 0 && c.processed > c.total) violations.push(`run ${run.id} v${after.version}: processed ${c.processed} > total ${c.total}`);
    if (after.failures.length > 50) violations.push(`run ${run.id} v${after.version}: ${after.failures.length} stored failures (> 50)`);
    if (after.failureCount < after.failures.length) violations.push(`run ${run.id} v${after.version}: failureCount ${after.failureCount} < ${after.failures.length} stored`);
    if (after.status === 'completed' && after.outcome === 'pending') violations.push(`run ${run.id} completed with a pending outcome`);
    const key = `${after.tenantId}|${after.type}|${after.identityHash}`;
    const active = activeByKey.get(key) ?? new Set<string>();
    if (after.status === 'completed') active.delete(after.id);
    else active.add(after.id);
    activeByKey.set(key, active);
    if (active.size > 1) violations.push(`two active runs for key ${key} at sequence ${record.dynamodb?.SequenceNumber}: ${[...active].join(', ')}`);
  }
  return { lastImage, expected };
}

/**
 * The stream publisher under a failing-then-recovering PutEvents: the records go through the real
 * publisher in random batches; a batch item failure is retried from that record, as Lambda does.
 * Answers the events the bus accepted (with duplicates).
 */
async function publishThroughChaos(records: DynamoDBRecord[], dice: Rng) {
  const accepted: Array<{ detailType: string; detail: Record<string, any> }> = [];
  let failureRate = 0.8; // the bus starts out refusing a lot, then recovers
  eventBridge.reset();
  eventBridge.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => {
    const entries = input.Entries ?? [];
    const roll = dice.next();
    failureRate *= 0.9;
    if (roll < failureRate / 2) throw Object.assign(new Error('Rate exceeded (chaos)'), { name: 'ThrottlingException', $metadata: {} });
    const results: PutEventsResultEntry[] = entries.map((e) => {
      if (roll < failureRate && dice.chance(0.5)) return { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' };
      accepted.push({ detailType: e.DetailType!, detail: JSON.parse(e.Detail!) });
      return { EventId: `ev-${accepted.length}` };
    });
    return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
  });
  const publisher = new EventBridgePublisher(new EventBridgeClient({ region: 'us-east-1' }), 'operation-runs');
  let at = 0;
  for (let invocations = 0; at < records.length; invocations++) {
    if (invocations > 5_000) throw new Error('the stream publisher never got through the stream');
    const batch = records.slice(at, at + dice.int(1, 100));
    const result = await publishStreamBatch({ Records: batch }, { publisher, retry: { sleep: async () => undefined } });
    const failedSeq = result.batchItemFailures[0]?.itemIdentifier;
    const failedAt = failedSeq === undefined ? -1 : batch.findIndex((r) => r.dynamodb?.SequenceNumber === failedSeq);
    at += failedAt < 0 ? batch.length : failedAt;
  }
  return accepted;
}

/** Delivers the bus's events to the notifier duplicated and out of order, retrying failed invocations. */
async function notifyThroughChaos(events: Array<{ detailType: string; detail: Record<string, any> }>, dice: Rng, violations: string[]) {
  const rates = { before: 0.05, after: 0.05 };
  const doc = faultyDoc(env.doc, dice.fork(1), rates);
  const deps = { runs: new RunStore(doc, env.table), notifications: new NotificationStore(doc, env.table), directory: new DirectoryStore(doc, env.table) };
  // The notifier only notifies current members: each scenario's user (u-<tenant>) is one.
  const directory = new DirectoryStore(env.doc, env.table);
  for (const tenantId of new Set(events.map((e) => String(e.detail.tenantId)))) {
    await directory.putMembership(`u-${tenantId}`, { tenantId, tenantName: tenantId, role: 'operator' });
  }
  // The notify rule matches Queued and Completed only (shared/wiring.ts); the bus delivers at least once.
  const routed = events.filter((e) => e.detailType === DETAIL_TYPES.queued || e.detailType === DETAIL_TYPES.completed);
  const deliveries = dice.shuffle(routed.flatMap((e) => (dice.chance(0.3) ? [e, e] : [e])));
  const lanes = 8;
  let next = 0;
  await Promise.all(Array.from({ length: lanes }, async () => {
    while (next < deliveries.length) {
      const e = deliveries[next++];
      for (let attempt = 0; ; attempt++) {
        try {
          await notifyInitiator({ 'detail-type': e.detailType, detail: e.detail }, deps);
          break;
        } catch (err) {
          // EventBridge retries a failed target invocation; only chaos faults may make it fail.
          if (!/\(chaos\)/.test((err as Error).message) || attempt > 20) {
            violations.push(`notifier failed for ${e.detail.runId} ${e.detailType}: ${(err as Error).message}`);
            break;
          }
        }
      }
    }
  }));
}

async function notificationsOf(userId: string) {
  const items: Record<string, any>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await env.doc.send(new QueryCommand({ TableName: env.table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)', ExpressionAttributeValues: { ':pk': `USER#${userId}`, ':p': 'NOTIF#' }, ConsistentRead: true, ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

async function checkGroup(reports: ScenarioReport[]) {
  const violations: string[] = [];
  const tenants = new Set(reports.map((r) => `TENANT#${r.tenantId}`));
  // Every write of these scenarios is on the stream by now; read until each run's last version is there.
  const mine: DynamoDBRecord[] = [];
  const lastVersion = new Map(reports.flatMap((r) => r.runs.map((run) => [run.id, run.version] as const)));
  for (let tries = 0; ; tries++) {
    const fresh = await stream.drain();
    mine.push(...fresh.filter((r) => tenants.has(String(r.dynamodb?.Keys?.pk?.S ?? ''))));
    const seen = new Map<string, number>();
    for (const r of mine) {
      const img = runImage(r.dynamodb?.NewImage);
      if (img) seen.set(img.id, Math.max(seen.get(img.id) ?? 0, img.version));
    }
    if ([...lastVersion].every(([id, v]) => seen.get(id) === v)) break;
    if (tries > 50) {
      violations.push(`the stream lacks the last version of runs ${[...lastVersion].filter(([id, v]) => seen.get(id) !== v).map(([id]) => id).join(', ')}`);
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const { lastImage, expected } = checkStream(mine, violations);
  for (const report of reports) {
    for (const run of report.runs) {
      if (lastImage.get(run.id)?.version !== run.version) violations.push(`run ${run.id}: stored version ${run.version} is not the stream's last (${lastImage.get(run.id)?.version})`);
    }
  }

  const dice = rng(hash32(`${BASE_SEED}:group:${reports[0].index}`));
  const accepted = await publishThroughChaos(mine, dice.fork(1));
  const published = new Set(accepted.map((e) => `${e.detail.runId}|${e.detailType}`));
  for (const want of expected) if (!published.has(want)) violations.push(`committed transition never published: ${want}`);
  for (const e of accepted) {
    for (const forbidden of ['input', 'failures', 'checkpoint', 'leaseExpiresAt']) {
      if (forbidden in e.detail) violations.push(`event detail of ${e.detail.runId} carries ${forbidden}`);
    }
  }

  await notifyThroughChaos(accepted, dice.fork(2), violations);
  for (const report of reports) {
    const notes = await notificationsOf(report.userId);
    const count = new Map<string, number>();
    for (const n of notes) count.set(`${n.runId}|${n.notificationKind}`, (count.get(`${n.runId}|${n.notificationKind}`) ?? 0) + 1);
    for (const run of report.runs) {
      const user = run.initiator.userId !== null;
      for (const kind of ['run.queued', 'run.completed']) {
        const n = count.get(`${run.id}|${kind}`) ?? 0;
        const want = user ? 1 : 0;
        if (n !== want) violations.push(`scenario ${report.index}: ${n} ${kind} notifications for ${user ? 'user' : 'system'} run ${run.id} (want ${want})`);
      }
      const completed = notes.find((n) => n.runId === run.id && n.notificationKind === 'run.completed');
      if (completed && completed.outcome !== run.outcome) violations.push(`notification of ${run.id} says ${completed.outcome}, the run ${run.outcome}`);
      if (completed && !String(completed.title).startsWith(run.label)) violations.push(`notification title "${completed.title}" does not name ${run.label}`);
    }
  }
  return violations;
}

function verdict(reports: ScenarioReport[], groupViolations: string[]) {
  const lines: string[] = [];
  for (const r of reports) {
    for (const v of [...r.violations, ...r.unexpectedErrors.map((e) => `unexpected error: ${e}`)]) lines.push(`scenario ${r.index} (seed ${r.seed}, Graph faults ${r.graphFaults}): ${v}\n    ${replay(r.index)}`);
  }
  for (const v of groupViolations) lines.push(`${v}\n    ${replay(ONLY)}`);
  return lines;
}

const indexes = ONLY !== undefined ? [ONLY] : Array.from({ length: SCENARIOS }, (_, i) => i);
const groups: number[][] = [];
for (let i = 0; i < indexes.length; i += GROUP) groups.push(indexes.slice(i, i + GROUP));

describe('the run guarantees under chaos', () => {
  for (const group of groups) {
    it(`scenarios ${group[0]}–${group[group.length - 1]}: one active run per key, every run completes, every transition published, one notification per (run, kind), no domain row finished apart from its run`, async () => {
      const reports = await runScenarios(group);
      all.push(...reports);
      const problems = verdict(reports, await checkGroup(reports));
      const rowViolations = reports.reduce((n, r) => n + r.violations.filter((v) => / row /.test(v)).length, 0);
      console.log(`chaos: scenarios ${group[0]}–${group[group.length - 1]} done (${all.length} so far): ${reports.reduce((n, r) => n + r.stats.rowChecks, 0)} domain-row checks, ${rowViolations} domain-row violations, ${problems.length} violations in all`);
      expect(problems, problems.slice(0, 20).join('\n')).toEqual([]);
    }, 300_000);
  }

  it('over the whole table: no key held by a completed or missing run, no notification for a system run', async () => {
    const items: Record<string, any>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      // Only tests may scan: this is the global view no product path needs.
      const out = await env.doc.send(new ScanCommand({ TableName: env.table, ConsistentRead: true, ExclusiveStartKey: start }));
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    const runs = items.filter((i) => i.kind === 'run').map(fromRunItem);
    const violations: string[] = [];
    checkKeys(runs, items.filter((i) => i.kind === 'activeKey'), violations, 'final scan');
    const systemRuns = new Set(runs.filter((r) => r.initiator.userId === null).map((r) => r.id));
    for (const n of items.filter((i) => i.kind === 'notification' || i.kind === 'notificationKey')) {
      if (systemRuns.has(n.runId)) violations.push(`system run ${n.runId} notified ${n.userId}`);
    }
    const totals = { runs: 0, starts: 0, refused: 0, invocations: 0, crashes: 0, reaped: 0, deadLetters: 0, faultsBefore: 0, faultsAfter: 0, calls: 0, timeouts: 0, conflicts: 0, rowChecks: 0, graphRequests: 0, graph429: 0, graph5xx: 0, graph4xx: 0 };
    for (const r of all) {
      totals.runs += r.runs.length; totals.starts += r.stats.starts; totals.refused += r.stats.refused; totals.invocations += r.stats.invocations;
      totals.crashes += r.stats.crashes; totals.reaped += r.stats.reaps; totals.deadLetters += r.stats.deadLetters; totals.timeouts += r.stats.timeouts;
      totals.faultsBefore += r.faults.before; totals.faultsAfter += r.faults.after; totals.calls += r.faults.calls ?? 0; totals.conflicts += r.faults.conflicts ?? 0;
      totals.rowChecks += r.stats.rowChecks; totals.graphRequests += r.graphRequests.total; totals.graph429 += r.graphRequests.throttled;
      totals.graph5xx += r.graphRequests.unavailable; totals.graph4xx += r.graphRequests.refused;
    }
    const outcomes = runs.reduce<Record<string, number>>((o, r) => ({ ...o, [r.outcome]: (o[r.outcome] ?? 0) + 1 }), {});
    // Runs a worker claimed (its executor ran), per type: every type's real executor met the chaos.
    const executed = runs.filter((r) => r.startedAt !== null).reduce<Record<string, number>>((o, r) => ({ ...o, [r.type]: (o[r.type] ?? 0) + 1 }), {});
    console.log(`chaos: ${all.length} scenarios, ${JSON.stringify(totals)}, outcomes ${JSON.stringify(outcomes)}, executed by type ${JSON.stringify(executed)}`);
    expect(runs.length).toBeGreaterThan(0);
    expect(violations, violations.slice(0, 20).join('\n')).toEqual([]);
    // the faults of issue 16 happened: injected TransactionConflicts and whole-batch Lambda timeouts
    if (all.length >= 50) expect(totals.conflicts * totals.timeouts).toBeGreaterThan(0);
    // issue 14: the real executors of every type ran, Graph faults happened, and the domain rows were checked
    if (all.length >= 50) {
      expect(Object.keys(executed).sort()).toEqual([...OPERATION_TYPES].sort());
      expect(totals.graph429 * totals.graph5xx * totals.graph4xx).toBeGreaterThan(0);
      expect(totals.rowChecks).toBeGreaterThan(0);
    }
  }, 120_000);
});
