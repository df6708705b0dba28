/**
 * The fleet view's reads (GET /me/fleet): recent runs of every tenant a user belongs to, from
 * DynamoDB only, with every read bounded.
 *
 * Per tenant, four Queries on existing key patterns (keys.ts), each newest first and each limited
 * to runs created since `since` by a key range on the ULID sort key (ULIDs sort by creation time):
 *
 * | read                                  | served by                                                  | cap               |
 * | ------------------------------------- | ---------------------------------------------------------- | ----------------- |
 * | the window (summary counts)           | table  pk=TENANT#t  sk BETWEEN RUN#<ulid(since)> AND RUN#~ | maxRunsPerTenant  |
 * | queued runs / running runs            | GSI byStatus  TENANT#t#STATUS#<s> / runSk ≥ ulid(since)    | maxActivePerStatus each |
 * | failed runs                           | GSI byOutcome TENANT#t#OUTCOME#failed / runSk ≥ ulid(since)| maxFailed         |
 *
 * The index Queries make the list of active and failed runs complete even when a busy tenant's
 * window is cut at its cap. A cap that cuts anything off is reported as `truncated`; nothing is
 * read beyond a cap (one extra item is read to tell "exactly the cap" from "more"). Expired runs
 * (TTL not yet applied) are filtered out, as in listRuns.
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StoredRunSummary } from '../runs/model.js';
import { INDEXES, keys, tenantPk, type IndexName } from './keys.js';
import { fromRunSummaryItem, ulidTimePrefix } from './run-store.js';

export interface FleetLimits {
  /** tenants read per request; a user in more tenants gets the first ones by tenant id and `truncated` */
  maxTenants: number;
  /** runs of the window read per tenant (the summary's input) */
  maxRunsPerTenant: number;
  /** queued runs and running runs read per tenant, each */
  maxActivePerStatus: number;
  /** failed runs read per tenant */
  maxFailed: number;
  /** items per Query page */
  pageSize: number;
  /** tenants read at the same time (each tenant's four Queries run in parallel) */
  concurrency: number;
}

export const FLEET_LIMITS: FleetLimits = {
  maxTenants: 50,
  maxRunsPerTenant: 200,
  maxActivePerStatus: 50,
  maxFailed: 50,
  pageSize: 100,
  concurrency: 4,
};

export interface BoundedRead {
  items: StoredRunSummary[];
  /** more items matched than the cap allowed */
  truncated: boolean;
  /** Query requests sent */
  queries: number;
}

interface RangeQuery {
  index?: IndexName;
  pkValue: string;
  /** sort key prefix (the table's RUN#; none on the run indexes) */
  skPrefix: string;
  since: Date;
  cap: number;
}

/**
 * Runs of one key range created at or after `since`, newest first, at most `cap` of them.
 * Pages of at most `pageSize`; reads at most `cap + 1` items.
 */
export async function queryRunsSince(doc: DynamoDBDocumentClient, table: string, q: RangeQuery, now: Date, pageSize = FLEET_LIMITS.pageSize): Promise<BoundedRead> {
  const pkAttr = q.index ? INDEXES[q.index].partitionKey : 'pk';
  const skAttr = q.index ? INDEXES[q.index].sortKey : 'sk';
  const budget = q.cap + 1;
  const items: StoredRunSummary[] = [];
  let evaluated = 0;
  let queries = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(
      new QueryCommand({
        TableName: table,
        IndexName: q.index,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lo AND :hi',
        FilterExpression: '#exp > :now',
        ExpressionAttributeNames: { '#pk': pkAttr, '#sk': skAttr, '#exp': 'expiresAt' },
        ExpressionAttributeValues: {
          ':pk': q.pkValue,
          ':lo': q.skPrefix + ulidTimePrefix(q.since.getTime()),
          ':hi': `${q.skPrefix}~`,
          ':now': Math.floor(now.getTime() / 1000),
        },
        ScanIndexForward: false,
        Limit: Math.min(pageSize, budget - evaluated),
        ExclusiveStartKey: startKey,
      }),
    );
    queries += 1;
    evaluated += out.ScannedCount ?? out.Items?.length ?? 0;
    items.push(...(out.Items ?? []).map(fromRunSummaryItem));
    startKey = out.LastEvaluatedKey;
  } while (startKey && evaluated < budget);
  return { items: items.slice(0, q.cap), truncated: items.length > q.cap || evaluated > q.cap, queries };
}

export interface TenantFleetReads {
  /** every run of the window (up to the cap), for the summary */
  window: BoundedRead;
  /** queued, running and failed runs of the window, deduplicated, newest first */
  highlighted: StoredRunSummary[];
  truncated: boolean;
  queries: number;
}

/** The four bounded Queries of one tenant, in parallel. */
export async function readTenantFleet(doc: DynamoDBDocumentClient, table: string, tenantId: string, since: Date, now: Date, limits: FleetLimits = FLEET_LIMITS): Promise<TenantFleetReads> {
  const t = tenantPk(tenantId);
  const read = (q: Omit<RangeQuery, 'since'>) => queryRunsSince(doc, table, { ...q, since }, now, limits.pageSize);
  const [window, queued, running, failed] = await Promise.all([
    read({ pkValue: t, skPrefix: keys.runPrefix, cap: limits.maxRunsPerTenant }),
    read({ index: 'byStatus', pkValue: `${t}#STATUS#queued`, skPrefix: '', cap: limits.maxActivePerStatus }),
    read({ index: 'byStatus', pkValue: `${t}#STATUS#running`, skPrefix: '', cap: limits.maxActivePerStatus }),
    read({ index: 'byOutcome', pkValue: `${t}#OUTCOME#failed`, skPrefix: '', cap: limits.maxFailed }),
  ]);
  // The window is read from the table, the others from indexes (eventually consistent): when a run
  // is in both, the higher version is the newer state; it is kept only if it is still highlighted.
  const byId = new Map<string, StoredRunSummary>();
  for (const run of [...queued.items, ...running.items, ...failed.items, ...window.items]) {
    const seen = byId.get(run.id);
    if (!seen || run.version > seen.version) byId.set(run.id, run);
  }
  const highlighted = [...byId.values()].filter(isHighlighted).sort(newestFirst);
  return {
    window,
    highlighted,
    truncated: window.truncated || queued.truncated || running.truncated || failed.truncated,
    queries: window.queries + queued.queries + running.queries + failed.queries,
  };
}

/** What the fleet view lists: active runs and failed ones. */
export const isHighlighted = (run: Pick<StoredRunSummary, 'status' | 'outcome'>) => run.status === 'queued' || run.status === 'running' || run.outcome === 'failed';

/** ULIDs sort by creation time: descending id is newest first (ties are impossible). */
export const newestFirst = (a: Pick<StoredRunSummary, 'id'>, b: Pick<StoredRunSummary, 'id'>) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

