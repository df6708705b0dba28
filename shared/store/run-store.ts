/**
 * The run repository: the only code that builds DynamoDB requests for runs and active run keys.
 * It holds no lifecycle rules — those are in shared/runs/lifecycle.ts — only the conditions that
 * make each write safe under concurrency.
 */
import { TransactionCanceledException, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Run, RunOutcome, RunStatus, Surface } from '../runs/model.js';
import { ActiveRunExistsError, InvalidCursorError, RunVersionConflictError, WriteConflictError } from '../runs/errors.js';
import { INDEXES, initiatorKey, keys, runIndexAttributes, tenantPk, type IndexName } from './keys.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { tableName } from './table.js';
import { conflictingItem, epochSeconds } from './conditions.js';

/** A Put that must commit in the same transaction as a run write (restore record, schedule run…). */
export interface CompanionPut {
  Item: Record<string, unknown>;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

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

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
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
    id: item.id,
    tenantId: item.tenantId,
    type: item.type,
    label: item.label,
    status: item.status,
    outcome: item.outcome,
    input: item.input ?? {},
    identityHash: item.identityHash,
    initiator: item.initiator,
    surface: item.surface,
    summaryCounts: item.summaryCounts,
    failures: item.failures ?? [],
    failureCount: item.failureCount ?? 0,
    context: item.context ?? {},
    attempt: item.attempt,
    cancelRequested: item.cancelRequested ?? false,
    createdAt: item.createdAt,
    startedAt: item.startedAt ?? null,
    completedAt: item.completedAt ?? null,
    durationMs: item.durationMs ?? null,
    queueWaitMs: item.queueWaitMs ?? null,
    expiresAt: new Date(Number(item.expiresAt) * 1000).toISOString(),
    leaseExpiresAt: item.leaseExpiresAt ?? null,
    checkpoint: typeof item.checkpoint === 'string' ? JSON.parse(item.checkpoint) : null,
    version: item.version,
  };
}

const isExpired = (item: Record<string, any>, now: Date) =>
  typeof item.expiresAt === 'number' && item.expiresAt * 1000 <= now.getTime();

export class RunStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string = tableName(),
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Writes a new run and claims its active run key in ONE transaction.
   * The key item's condition `attribute_not_exists(pk)` is the whole dedupe: of N concurrent starts
   * exactly one commits; the others learn the holder's run id from the cancellation reason
   * (ReturnValuesOnConditionCheckFailure ALL_OLD), without a second read.
   */
  async createRun(run: Run, companions: CompanionPut[] = []): Promise<void> {
    const activeKey = keys.activeKey(run.tenantId, run.type, run.identityHash);
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table,
                Item: { ...activeKey, kind: 'activeKey', runId: run.id, tenantId: run.tenantId, type: run.type, createdAt: run.createdAt },
                ConditionExpression: 'attribute_not_exists(pk)',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            { Put: { TableName: this.table, Item: toRunItem(run), ConditionExpression: 'attribute_not_exists(pk)' } },
            ...companions.map((c) => ({ Put: { TableName: this.table, ...c } })),
          ],
        }),
      );
    } catch (err) {
      const holder = heldKeyRunId(err);
      if (holder) throw new ActiveRunExistsError(holder);
      if (isTransactionConflict(err)) throw new WriteConflictError();
      throw err;
    }
  }

  async getRun(tenantId: string, runId: string, opts: { consistent?: boolean } = {}): Promise<Run | null> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: keys.run(tenantId, runId), ConsistentRead: opts.consistent ?? true }),
    );
    if (!out.Item || out.Item.kind !== 'run' || isExpired(out.Item, this.clock())) return null;
    return fromRunItem(out.Item);
  }

  /**
   * Persists `next`, computed by the lifecycle from `prev`, if nobody wrote the run in between
   * (`version = prev.version`). When `next` is completed, the active run key is released in the same
   * transaction (§4), but only if this run still holds it.
   */
  async saveTransition(prev: Run, next: Run, companions: CompanionPut[] = []): Promise<void> {
    const putRun = {
      TableName: this.table,
      Item: toRunItem(next),
      ConditionExpression: '#v = :v',
      ExpressionAttributeNames: { '#v': 'version' },
      ExpressionAttributeValues: { ':v': prev.version },
    };
    const releasesKey = prev.status !== 'completed' && next.status === 'completed';
    try {
      if (!releasesKey && companions.length === 0) {
        await this.doc.send(new PutCommand(putRun));
        return;
      }
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: putRun },
            ...(releasesKey
              ? [{
                  Delete: {
                    TableName: this.table,
                    Key: keys.activeKey(next.tenantId, next.type, next.identityHash),
                    // Only our own key: never free a key another run holds.
                    ConditionExpression: 'attribute_not_exists(pk) OR runId = :id',
                    ExpressionAttributeValues: { ':id': next.id },
                  },
                }]
              : []),
            ...companions.map((c) => ({ Put: { TableName: this.table, ...c } })),
          ],
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException || err instanceof TransactionCanceledException) {
        // A TransactionConflict is also resolved by re-reading and re-applying.
        throw new RunVersionConflictError(prev.id, prev.version);
      }
      throw err;
    }
  }

  /** The run id holding an active run key, if any (used by tests and the chaos invariants). */
  async activeKeyHolder(tenantId: string, type: string, identityHash: string): Promise<string | null> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: keys.activeKey(tenantId, type, identityHash), ConsistentRead: true }),
    );
    return (out.Item?.runId as string | undefined) ?? null;
  }

  /**
   * One page of a tenant's runs, newest first. One filter is served by its index's partition key
   * and the created-at range by the ULID sort key; further filters narrow that page with a
   * FilterExpression. One Query per page.
   */
  async listRuns(tenantId: string, filter: RunListFilter, limit: number, cursor?: string): Promise<Page<Run>> {
    const now = this.clock();
    const indexed = chooseIndex(tenantId, filter);
    const scope = `runs:${tenantId}:${indexed.index ?? 'table'}:${indexed.pkValue}`;
    const names: Record<string, string> = { '#pk': indexed.pkAttr, '#sk': indexed.skAttr };
    const values: Record<string, unknown> = { ':pk': indexed.pkValue };
    const skPrefix = indexed.index ? '' : keys.runPrefix;
    // ULIDs sort by creation time: from/to become bounds on the sort key.
    const lower = skPrefix + (filter.from ? ulidTimePrefix(Date.parse(filter.from)) : '0');
    const upper = skPrefix + (filter.to ? ulidTimePrefix(Date.parse(filter.to) + 1) : '~');
    values[':lo'] = lower;
    values[':hi'] = upper;
    const conditions: string[] = ['#exp > :now'];
    names['#exp'] = 'expiresAt';
    values[':now'] = Math.floor(now.getTime() / 1000);
    for (const [field, attr, value] of indexed.residual) {
      names[`#${field}`] = attr;
      values[`:${field}`] = value;
      conditions.push(`#${field} = :${field}`);
    }
    const input: QueryCommandInput = {
      TableName: this.table,
      IndexName: indexed.index,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lo AND :hi',
      FilterExpression: conditions.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: decodeCursor(scope, cursor),
    };
    if (input.ExclusiveStartKey && input.ExclusiveStartKey[indexed.pkAttr] !== indexed.pkValue) throw new InvalidCursorError();
    const out = await this.doc.send(new QueryCommand(input));
    return {
      items: (out.Items ?? []).map(fromRunItem),
      nextCursor: encodeCursor(scope, out.LastEvaluatedKey),
    };
  }

  /** Active runs across tenants (sparse byActive index), for the reaper. */
  async listActive(status: 'queued' | 'running', before: string, limit = 100, cursor?: string): Promise<Page<Run>> {
    const scope = `active:${status}`;
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'byActive',
        KeyConditionExpression: 'activePk = :pk AND activeSk < :before',
        ExpressionAttributeValues: { ':pk': `ACTIVE#${status}`, ':before': before },
        Limit: limit,
        ExclusiveStartKey: decodeCursor(scope, cursor),
      }),
    );
    return { items: (out.Items ?? []).map(fromRunItem), nextCursor: encodeCursor(scope, out.LastEvaluatedKey) };
  }
}

const isTransactionConflict = (err: unknown) =>
  err instanceof TransactionCanceledException && (err.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict');

/** The run id in the ALL_OLD image of a failed active-key condition, if that is why it failed. */
function heldKeyRunId(err: unknown): string | null {
  const old = conflictingItem(err);
  return typeof old?.runId === 'string' ? old.runId : null;
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
