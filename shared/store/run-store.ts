/**
 * The run repository: the only code that builds DynamoDB requests for runs and active run keys.
 * It holds no lifecycle rules — those are in shared/runs/lifecycle.ts — only the conditions that
 * make each write safe under concurrency.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Run, RunOutcome, RunStatus, StoredRunSummary, Surface } from '../runs/model.js';
import { ActiveRunExistsError, ActiveRunQuotaExceededError } from '../runs/errors.js';
import { settings } from '../settings.js';
import { companionName, isCompanionCheck, isCompanionUpdate, type CompanionWrite, type RunRepository, type StartCompanion } from '../runs/ports.js';
import { ACTIVE_SHARDS, activePartition, INDEXES, initiatorKey, keys, runIndexAttributes, tenantPk, type IndexName } from './keys.js';
import { tableName } from './table.js';
import { epochSeconds } from './conditions.js';
import { CompanionConflictError, RunConditionFailedError, VersionConflictError } from './errors.js';
import { TableClient, versionCondition, type Filter, type Page, type TxItem } from './table-client.js';
import { timelineEntry, type TimelineEntry } from '../runs/timeline.js';

export type { CompanionPut, StartCompanion } from '../runs/ports.js';
export type { Page } from './table-client.js';

export interface RunListFilter {
  type?: string;
  status?: RunStatus;
  outcome?: RunOutcome;
  /** a user id, or 'system' for system-started runs */
  initiator?: string;
  surface?: Surface;
  from?: string;
  to?: string;
}


// Crockford base32, the ULID alphabet: the first 10 characters encode the timestamp in ms.
const B32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export function ulidTimePrefix(ms: number): string {
  let out = '';
  let t = Math.max(0, Math.floor(ms));
  for (let i = 0; i < 10; i++) {
    out = B32[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}

export function toRunItem(run: Run): Record<string, unknown> {
  return {
    ...keys.run(run.tenantId, run.id),
    kind: 'run',
    ...runIndexAttributes(run),
    ...run,
    checkpoint: run.checkpoint === null ? null : JSON.stringify(run.checkpoint),
    expiresAt: epochSeconds(run.expiresAt),
  };
}

export function fromRunItem(item: Record<string, any>): Run {
  return {
    ...fromRunSummaryItem(item),
    input: item.input ?? {},
    failures: item.failures ?? [],
    leaseExpiresAt: item.leaseExpiresAt ?? null,
    checkpoint: typeof item.checkpoint === 'string' ? JSON.parse(item.checkpoint) : null,
  };
}

/**
 * The read budget of one runs-list page: at most this many Queries (each reads at most the page's
 * free slots), so a sparse filter costs a bounded number of reads before a cursor is answered.
 */
export const LIST_RUNS_MAX_QUERIES = 25;

/** Attempts of a run transaction cancelled by TransactionConflict (the table client's default is 6). */
export const RUN_TRANSACT_ATTEMPTS = 10;

function fromRunLogItem(item: Record<string, any>): TimelineEntry {
  return {
    seq: Number(item.seq),
    at: item.at,
    kind: item.event,
    attempt: Number(item.attempt ?? 0),
    ...(item.counts ? { counts: item.counts } : {}),
    ...(item.outcome ? { outcome: item.outcome } : {}),
    ...(item.code ? { code: item.code } : {}),
  };
}

/**
 * A run's summary from a list index item (INCLUDE: RUN_SUMMARY_ATTRIBUTES) or a whole table item.
 * `id` and `tenantId` come from the table keys, which every index carries.
 */
export function fromRunSummaryItem(item: Record<string, any>): StoredRunSummary {
  return {
    id: String(item.sk).slice(keys.runPrefix.length),
    tenantId: String(item.pk).slice(tenantPk('').length),
    type: item.type,
    label: item.label,
    status: item.status,
    outcome: item.outcome,
    identityHash: item.identityHash,
    initiator: item.initiator,
    surface: item.surface,
    summaryCounts: item.summaryCounts,
    failureCount: item.failureCount ?? 0,
    context: item.context ?? {},
    attempt: item.attempt,
    cancelRequested: item.cancelRequested ?? false,
    createdAt: item.createdAt,
    startedAt: item.startedAt ?? null,
    completedAt: item.completedAt ?? null,
    durationMs: item.durationMs ?? null,
    queueWaitMs: item.queueWaitMs ?? null,
    // The TTL attribute holds whole seconds; the retention is whole days, so createdAt's milliseconds
    // make it exactly createdAt + retention again (§4) — what the start answered for the same run.
    expiresAt: new Date(Number(item.expiresAt) * 1000 + (Date.parse(item.createdAt) % 1000)).toISOString(),
    version: item.version,
  };
}

/** What the reaper reads of an active run (byActive projects only the lease). */
export interface ActiveRunRef {
  tenantId: string;
  id: string;
  status: 'queued' | 'running';
  createdAt: string;
  leaseExpiresAt: string | null;
}

const isExpired = (item: Record<string, any>, now: Date) =>
  typeof item.expiresAt === 'number' && item.expiresAt * 1000 <= now.getTime();

/** A companion as a transaction item, named (companionName) so a CompanionConflictError says which record it was. */
export const companionItem = (c: CompanionWrite): TxItem => {
  if (isCompanionCheck(c)) return { name: c.name, op: { ConditionCheck: c.Check }, onConditionFailed: () => c.refusal() };
  return isCompanionUpdate(c) ? { name: c.name, op: { Update: c.Update } } : { name: companionName(c), op: { Put: c } };
};

/**
 * The timeline entry of a transition, as a Put in that transition's own TransactWriteItems: one
 * small item (~200 bytes) per committed write, same TTL as the run (shared/runs/timeline.ts).
 * Cost, said plainly: a transactional write uses two write units per item up to 1 KB (AWS,
 * "DynamoDB read and write operations", capacity unit consumption for write operations), so every
 * transition now pays 2 extra WCUs for its entry, and a checkpoint that was a single PutItem (1 WCU/KB)
 * becomes a two-item transaction (2 WCU/KB for the run + 2 for the entry). Checkpoints come at most
 * once per 100 items or 2 s, so a run of n items writes about n/100 + 4 entries.
 * TransactWriteItems holds at most 100 actions (AWS, "Amazon DynamoDB Transactions: How it works"):
 * run + active key + counter + entry leave 96 for companions (see MAX_COMPANIONS).
 */
const runLogItem = (prev: Run | null, next: Run, now: Date): TxItem => {
  const { kind: event, ...entry }: TimelineEntry = timelineEntry(prev, next, now);
  return {
    name: 'runLog',
    op: { Put: { Item: { ...keys.runLog(next.tenantId, next.id, entry.seq), kind: 'runLog', runId: next.id, event, ...entry, expiresAt: epochSeconds(next.expiresAt) } } },
  };
};

/**
 * TransactWriteItems' limit is 100 actions; the run, its active key, the tenant's active-run counter
 * and the run's timeline entry take 4.
 */
export const MAX_COMPANIONS = 96;
const checkCompanions = (companions: CompanionWrite[]) => {
  if (companions.length > MAX_COMPANIONS) throw new Error(`a run write carries at most ${MAX_COMPANIONS} companion records (got ${companions.length})`);
};

export class RunStore implements RunRepository {
  private readonly t: TableClient;

  constructor(
    doc: DynamoDBDocumentClient,
    table: string = tableName(),
    private readonly clock: () => Date = () => new Date(),
    /** the tenant's active-run quota (MAX_ACTIVE_RUNS_PER_TENANT), read at each start */
    private readonly maxActiveRuns: () => number = () => settings().quotas.maxActiveRunsPerTenant,
  ) {
    // Every start and every completion of a tenant's runs touches its quota counter item, and N
    // identical starts all touch one active run key (SC-003): these transactions contend more than any
    // other, so they get more attempts (waits capped at 1 s: about 4 s of backoff in all) before a
    // TransactionConflict reaches the caller as 503 Retry-After.
    this.t = new TableClient(doc, table, { transactAttempts: RUN_TRANSACT_ATTEMPTS });
  }

  /**
   * Writes a new run and claims its active run key in ONE transaction.
   * The key item's condition `attribute_not_exists(pk)` is the whole dedupe: of N concurrent starts
   * exactly one commits; the others learn the holder's run id from the cancellation reason
   * (ReturnValuesOnConditionCheckFailure ALL_OLD), without a second read.
   * A failed condition on the run itself is a RunConditionFailedError, on a companion a
   * CompanionConflictError, and a TransactionConflict a TransactionConflictError.
   *
   * Quota (issue 16): the tenant's active-run counter is incremented in the same transaction, on
   * condition that it is below the quota, so N concurrent starts can never pass it. Dedupe comes
   * first: a held key answers ActiveRunExistsError even when the quota is full — read from the
   * cancellation reasons, and, because DynamoDB need not report every failed condition of a
   * cancelled transaction, confirmed with one read of the key when only the counter is reported.
   */
  async createRun(run: Run, companions: StartCompanion[] = []): Promise<void> {
    checkCompanions(companions);
    const limit = this.maxActiveRuns();
    let holder: Record<string, unknown> | null;
    try {
      holder = await this.t.putUnique(
        {
          name: 'activeKey',
          Item: { ...keys.activeKey(run.tenantId, run.type, run.identityHash), kind: 'activeKey', runId: run.id, tenantId: run.tenantId, type: run.type, createdAt: run.createdAt },
        },
        [
          // Reference checks first: after dedupe (the key above), a missing reference is the answer
          // even when the quota is full, as it was when the plan read the reference itself.
          ...companions.filter(isCompanionCheck).map(companionItem),
          { name: 'run', op: { Put: { Item: toRunItem(run), ConditionExpression: 'attribute_not_exists(pk)' } }, onConditionFailed: () => new RunConditionFailedError(run.id) },
          {
            name: 'activeRunCount',
            op: {
              Update: {
                Key: keys.activeRunCount(run.tenantId),
                UpdateExpression: 'ADD #n :one SET #kind = :kind, tenantId = :t',
                ConditionExpression: 'attribute_not_exists(#n) OR #n < :max',
                ExpressionAttributeNames: { '#n': 'activeRuns', '#kind': 'kind' },
                ExpressionAttributeValues: { ':one': 1, ':max': limit, ':kind': 'activeRunCount', ':t': run.tenantId },
              },
            },
            onConditionFailed: () => new ActiveRunQuotaExceededError(run.tenantId, limit),
          },
          ...companions.filter((c) => !isCompanionCheck(c)).map(companionItem),
          runLogItem(null, run, this.clock()),
        ],
      );
    } catch (err) {
      if (!(err instanceof ActiveRunQuotaExceededError)) throw err;
      const held = await this.activeKeyHolder(run.tenantId, run.type, run.identityHash);
      if (held) throw new ActiveRunExistsError(held);
      throw err;
    }
    if (!holder) return;
    if (typeof holder.runId === 'string') throw new ActiveRunExistsError(holder.runId);
    throw new CompanionConflictError('activeKey', 0, holder);
  }

  async getRun(tenantId: string, runId: string, opts: { consistent?: boolean } = {}): Promise<Run | null> {
    const now = this.clock();
    const item = await this.t.get(keys.run(tenantId, runId), { kind: 'run', consistent: opts.consistent ?? true, map: (i) => i });
    if (!item || isExpired(item, now)) return null;
    return fromRunItem(item);
  }

  /**
   * Persists `next`, computed by the lifecycle from `prev`, if nobody wrote the run in between
   * (`version = prev.version`, else a VersionConflictError). When `next` is completed, the active run
   * key is released in the same transaction (§4), but only if this run still holds it.
   */
  async saveTransition(prev: Run, next: Run, companions: CompanionWrite[] = []): Promise<void> {
    const releasesKey = prev.status !== 'completed' && next.status === 'completed';
    checkCompanions(companions);
    // Always a transaction now: the timeline entry commits with the run or not at all.
    await this.t.transact([
      { name: 'run', op: { Put: { Item: toRunItem(next), ...versionCondition(prev.version) } }, onConditionFailed: () => new VersionConflictError('run', prev.id, prev.version) },
      ...(releasesKey
        ? [{
            // The run leaves the tenant's active-run count (incremented by createRun): exactly once,
            // because only one write moves a run to completed (the version condition above).
            name: 'activeRunCount',
            op: {
              Update: {
                Key: keys.activeRunCount(next.tenantId),
                UpdateExpression: 'ADD #n :minus',
                ExpressionAttributeNames: { '#n': 'activeRuns' },
                ExpressionAttributeValues: { ':minus': -1 },
              },
            },
          }, {
            name: 'activeKey',
            op: {
              Delete: {
                Key: keys.activeKey(next.tenantId, next.type, next.identityHash),
                // Only our own key: never free a key another run holds.
                ConditionExpression: 'attribute_not_exists(pk) OR runId = :id',
                ExpressionAttributeValues: { ':id': next.id },
              },
            },
          }]
        : []),
      ...companions.map(companionItem),
      runLogItem(prev, next, this.clock()),
    ]);
  }

  /** The tenant's active runs as counted for its quota (queued + running). */
  async activeRunCount(tenantId: string): Promise<number> {
    return (await this.t.get(keys.activeRunCount(tenantId), { consistent: true, map: (i) => Number(i.activeRuns ?? 0) })) ?? 0;
  }

  /** The run id holding an active run key, if any (a start that met lasting contention; tests and the chaos invariants). */
  async activeKeyHolder(tenantId: string, type: string, identityHash: string): Promise<string | null> {
    return this.t.get(keys.activeKey(tenantId, type, identityHash), { consistent: true, map: (i) => (i.runId as string | undefined) ?? null });
  }

  /**
   * One page of a tenant's runs, newest first. One filter is served by its index's partition key
   * and the created-at range by the ULID sort key; further filters narrow that page with a
   * FilterExpression. A FilterExpression applies after `Limit` items were read, so one Query can
   * come back short or empty while matches lie further on: the page is filled on the server with
   * more Queries, up to LIST_RUNS_MAX_QUERIES (the read budget), then a cursor. An empty page with a
   * cursor therefore means "read budget spent, nothing matched yet", and an empty page without one
   * means nothing further matches.
   */
  async listRuns(tenantId: string, filter: RunListFilter, limit: number, cursor?: string): Promise<Page<StoredRunSummary>> {
    const now = this.clock();
    const indexed = chooseIndex(tenantId, filter);
    const skPrefix = indexed.index ? '' : keys.runPrefix;
    // ULIDs sort by creation time: from/to become bounds on the sort key.
    const lower = skPrefix + (filter.from ? ulidTimePrefix(Date.parse(filter.from)) : '0');
    const upper = skPrefix + (filter.to ? ulidTimePrefix(Date.parse(filter.to) + 1) : '~');
    const names: Record<string, string> = { '#exp': 'expiresAt' };
    const values: Record<string, unknown> = { ':now': Math.floor(now.getTime() / 1000) };
    const conditions: string[] = ['#exp > :now'];
    for (const [field, attr, value] of indexed.residual) {
      names[`#${field}`] = attr;
      values[`:${field}`] = value;
      conditions.push(`#${field} = :${field}`);
    }
    const residual: Filter = { expression: conditions.join(' AND '), names, values };
    const { items, nextCursor } = await this.t.queryPage({
      index: indexed.index,
      key: { pk: indexed.pkValue, pkAttr: indexed.pkAttr, skAttr: indexed.skAttr, sk: { between: [lower, upper] } },
      filter: residual,
      forward: false,
      limit,
      maxPages: LIST_RUNS_MAX_QUERIES,
      cursor: { scope: `runs:${tenantId}:${indexed.index ?? 'table'}:${indexed.pkValue}`, value: cursor },
      // Summaries whichever path served the page: the indexes hold nothing more (INCLUDE).
      map: fromRunSummaryItem,
    });
    return { items, nextCursor };
  }

  /**
   * One page of a run's timeline, oldest first: DB only, one Query (key range RUNLOG#<runId>#).
   * Entries outlive nothing: they carry the run's TTL, and expired ones are hidden at once.
   */
  async listTimeline(tenantId: string, runId: string, limit: number, cursor?: string): Promise<Page<TimelineEntry>> {
    const now = Math.floor(this.clock().getTime() / 1000);
    const { items, nextCursor } = await this.t.queryPage({
      key: { pk: tenantPk(tenantId), sk: { beginsWith: keys.runLogPrefix(runId) } },
      filter: { expression: '#exp > :now', names: { '#exp': 'expiresAt' }, values: { ':now': now } },
      forward: true,
      limit,
      maxPages: 4,
      cursor: { scope: `runlog:${tenantId}:${runId}`, value: cursor },
      map: fromRunLogItem,
    });
    return { items, nextCursor };
  }

  /**
   * Active runs across tenants in one byActive shard (0 ≤ shard < ACTIVE_SHARDS), for the reaper:
   * queued runs created before `before` (a key range), or running runs whose lease expired before
   * `before` (a filter: the lease is not in the key, so renewing it never moves the index item).
   */
  async listActive(status: 'queued' | 'running', shard: number, before: string, limit = 100, cursor?: string): Promise<Page<ActiveRunRef>> {
    if (!Number.isInteger(shard) || shard < 0 || shard >= ACTIVE_SHARDS) throw new RangeError(`shard ${shard} is not in [0, ${ACTIVE_SHARDS})`);
    const pk = activePartition(status, shard);
    const { items, nextCursor } = await this.t.queryPage({
      index: 'byActive',
      key: status === 'queued'
        ? { pkAttr: 'activePk', pk, skAttr: 'activeSk', sk: { lessThan: before } }
        : { pkAttr: 'activePk', pk },
      filter: status === 'running'
        ? { expression: 'attribute_exists(#lease) AND #lease < :before', names: { '#lease': 'leaseExpiresAt' }, values: { ':before': before } }
        : undefined,
      limit,
      cursor: { scope: `active:${pk}`, value: cursor },
      map: (item): ActiveRunRef => ({
        tenantId: String(item.pk).slice(tenantPk('').length),
        id: String(item.sk).slice(keys.runPrefix.length),
        status,
        createdAt: String(item.activeSk).split('#')[0],
        leaseExpiresAt: typeof item.leaseExpiresAt === 'string' ? item.leaseExpiresAt : null,
      }),
    });
    return { items, nextCursor };
  }
}

type Residual = [field: string, attr: string, value: unknown];

/** Picks the index for the first given filter (most selective first); the rest become filters. */
function chooseIndex(tenantId: string, f: RunListFilter) {
  const t = tenantPk(tenantId);
  const candidates: Array<[IndexName, string, string, unknown] | null> = [
    f.initiator !== undefined ? ['byInitiator', `${t}#INITIATOR#${initiatorKey(f.initiator === 'system' ? null : f.initiator)}`, 'byInitiatorPk', null] : null,
    f.type !== undefined ? ['byType', `${t}#TYPE#${f.type}`, 'type', f.type] : null,
    f.outcome !== undefined ? ['byOutcome', `${t}#OUTCOME#${f.outcome}`, 'outcome', f.outcome] : null,
    f.status !== undefined ? ['byStatus', `${t}#STATUS#${f.status}`, 'status', f.status] : null,
    f.surface !== undefined ? ['bySurface', `${t}#SURFACE#${f.surface}`, 'surface', f.surface] : null,
  ];
  const present = candidates.filter((c): c is [IndexName, string, string, unknown] => c !== null);
  if (present.length === 0) {
    return { index: undefined, pkAttr: 'pk', skAttr: 'sk', pkValue: t, residual: [] as Residual[] };
  }
  const [first, ...rest] = present;
  const residual: Residual[] = rest.map(([index, pkValue, attr, value]) =>
    index === 'byInitiator' ? ['initiatorKey', INDEXES.byInitiator.partitionKey, pkValue] : [index, attr, value],
  );
  return {
    index: first[0] as string | undefined,
    pkAttr: INDEXES[first[0]].partitionKey as string,
    skAttr: INDEXES[first[0]].sortKey as string,
    pkValue: first[1],
    residual,
  };
}
