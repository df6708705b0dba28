/**
 * The one table client every store uses: typed gets, one query-page helper (key condition, optional
 * index and filter, signed cursor in and out, a read budget), put-if-absent, versioned puts,
 * transactions whose cancellation reasons are read per item, unique-marker transactions (ALL_OLD),
 * and batch get/put/delete that retry unprocessed items with jittered backoff and throw when their
 * budget is spent. Stores keep the item shapes and the rules; this file keeps the DynamoDB mechanics.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { InvalidCursorError } from '../runs/errors.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { loadCursorKey } from './cursor-key.js';
import { BatchIncompleteError, CompanionConflictError, TransactionConflictError, VersionConflictError } from './errors.js';
import { tableName } from './table.js';
import { INDEXES, TABLE_KEYS } from './keys.js';
import { metrics, MetricNames } from '../observability/metrics.js';

export type Item = Record<string, any>;
export type Key = Record<string, string>;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The sort-key part of a key condition. */
export type SortCondition =
  | { beginsWith: string }
  | { between: [string, string] }
  | { lessThan: string }
  | { atMost: string };

export interface KeyCondition {
  /** partition key attribute (default 'pk') and value */
  pk: string;
  pkAttr?: string;
  /** sort key attribute (default 'sk') and its condition */
  sk?: SortCondition;
  skAttr?: string;
}

export interface Filter {
  expression: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

export interface QueryPageInput<T> {
  key: KeyCondition;
  index?: string;
  filter?: Filter;
  /** newest first when false (default true) */
  forward?: boolean;
  consistent?: boolean;
  /**
   * Where to start: a signed cursor issued for `scope` (API lists), or a raw start key (internal
   * walks that keep the key themselves). A cursor for another partition is an InvalidCursorError.
   */
  cursor?: { scope: string; value?: string };
  startKey?: Key | null;
  /**
   * The read budget: at most `limit` items, and at most `maxPages` Queries (default 1). A filter can
   * leave a page short; with maxPages > 1 the helper queries on (never asking for more than still
   * fits, so the last evaluated key is an exact cursor) until the page is full or the budget is spent.
   */
  limit?: number;
  maxPages?: number;
  map: (item: Item) => T;
}

export interface QueryPageResult<T> extends Page<T> {
  /** the raw last evaluated key (null when the list ended) */
  lastKey: Key | null;
}

type Op = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type NoTable<T> = Omit<NonNullable<T>, 'TableName'>;
/** A transaction item without its TableName (the client adds it). */
export type TxOp =
  | { Put: NoTable<Op['Put']> }
  | { Delete: NoTable<Op['Delete']> }
  | { Update: NoTable<Op['Update']> }
  | { ConditionCheck: NoTable<Op['ConditionCheck']> };

/** One item of a transaction, named so a failed condition can say which item failed. */
export interface TxItem {
  /** what the item is (its kind), named in CompanionConflictError */
  name: string;
  op: TxOp;
  /**
   * What a failed condition on this item means. Unset: a CompanionConflictError naming the item.
   * The subject of a transaction (the run, the policy head…) says its own error here.
   */
  onConditionFailed?: (old: Item) => Error;
}

export interface BatchOptions {
  /** rounds per chunk before giving up with BatchIncompleteError (default 8) */
  maxRounds?: number;
  /** backoff: round r waits a random time in [0, min(capMs, baseMs * 2^r)) (full jitter) */
  baseMs?: number;
  capMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** attempts of a transaction cancelled by TransactionConflict before its error is thrown (default 6) */
  transactAttempts?: number;
  /** told of every TransactionConflict (default: the TransactionConflicts metric) */
  onTransactionConflict?: (err: TransactionConflictError, attempt: number) => void;
}

const GET_CHUNK = 100;
const WRITE_CHUNK = 25;

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The ExclusiveStartKey that continues a query after `item`: the table's keys, plus the index's when it went through one. */
function startKeyOf(item: Item, index: string | undefined): Key {
  const i = index === undefined ? undefined : (INDEXES as Record<string, { partitionKey: string; sortKey: string }>)[index];
  const attrs = [TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey, ...(i ? [i.partitionKey, i.sortKey] : [])];
  return Object.fromEntries(attrs.filter((a) => item[a] !== undefined).map((a) => [a, item[a]]));
}

const isConditionFailure = (err: unknown): err is ConditionalCheckFailedException => err instanceof ConditionalCheckFailedException;

export class TableClient {
  private readonly batch: Required<Omit<BatchOptions, 'transactAttempts' | 'onTransactionConflict'>>;
  private readonly transactAttempts: number;
  private readonly onTransactionConflict: (err: TransactionConflictError, attempt: number) => void;

  constructor(
    readonly doc: DynamoDBDocumentClient,
    readonly table: string = tableName(),
    batch: BatchOptions = {},
  ) {
    this.batch = {
      maxRounds: batch.maxRounds ?? 8,
      baseMs: batch.baseMs ?? 20,
      capMs: batch.capMs ?? 1000,
      sleep: batch.sleep ?? defaultSleep,
      random: batch.random ?? Math.random,
    };
    this.transactAttempts = Math.max(1, batch.transactAttempts ?? 6);
    this.onTransactionConflict = batch.onTransactionConflict ?? (() => metrics.count(MetricNames.transactionConflicts));
  }

  // ── reads ──

  /**
   * One item by key, mapped; null when absent or of another kind. `consistent` defaults to true:
   * a store that can read eventually says so.
   */
  async get<T>(key: Key, opts: { kind?: string; consistent?: boolean; map: (item: Item) => T }): Promise<T | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: opts.consistent ?? true }));
    if (!out.Item) return null;
    if (opts.kind !== undefined && out.Item.kind !== opts.kind) return null;
    return opts.map(out.Item);
  }

  /** The one query helper: a page of mapped items under a key condition, within a read budget. */
  async queryPage<T>(q: QueryPageInput<T>): Promise<QueryPageResult<T>> {
    const pkAttr = q.key.pkAttr ?? 'pk';
    const skAttr = q.key.skAttr ?? 'sk';
    const names: Record<string, string> = { '#pk': pkAttr, ...(q.filter?.names ?? {}) };
    const values: Record<string, unknown> = { ':pk': q.key.pk, ...(q.filter?.values ?? {}) };
    let keyCondition = '#pk = :pk';
    const sk = q.key.sk;
    if (sk) {
      names['#sk'] = skAttr;
      if ('beginsWith' in sk) {
        keyCondition += ' AND begins_with(#sk, :sk)';
        values[':sk'] = sk.beginsWith;
      } else if ('between' in sk) {
        keyCondition += ' AND #sk BETWEEN :skLo AND :skHi';
        values[':skLo'] = sk.between[0];
        values[':skHi'] = sk.between[1];
      } else if ('lessThan' in sk) {
        keyCondition += ' AND #sk < :sk';
        values[':sk'] = sk.lessThan;
      } else {
        keyCondition += ' AND #sk <= :sk';
        values[':sk'] = sk.atMost;
      }
    }
    let startKey: Item | undefined = q.startKey ?? undefined;
    if (q.cursor) {
      // The signing key: loaded once per container, on the first signed cursor (a no-op afterwards).
      await loadCursorKey();
      startKey = decodeCursor(q.cursor.scope, q.cursor.value);
      if (startKey && startKey[pkAttr] !== q.key.pk) throw new InvalidCursorError();
    }
    const maxPages = Math.max(1, q.maxPages ?? 1);
    // An API list (a cursor scope) reads one match past the page: a full page at the end of the list
    // then says so (nextCursor null) instead of leading to an empty last page (§5). Same Queries —
    // Limit is one higher — and the cursor is the key of the page's last item.
    const lookAhead = q.cursor !== undefined && q.limit !== undefined ? 1 : 0;
    const wanted = q.limit === undefined ? undefined : q.limit + lookAhead;
    const raw: Item[] = [];
    for (let page = 0; page < maxPages; page++) {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: q.index,
          KeyConditionExpression: keyCondition,
          FilterExpression: q.filter?.expression,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ScanIndexForward: q.forward ?? true,
          ConsistentRead: q.consistent,
          Limit: wanted === undefined ? undefined : wanted - raw.length,
          ExclusiveStartKey: startKey,
        }),
      );
      raw.push(...(out.Items ?? []));
      startKey = out.LastEvaluatedKey;
      if (!startKey || (wanted !== undefined && raw.length >= wanted)) break;
    }
    if (q.limit !== undefined && raw.length > q.limit) {
      raw.length = q.limit;
      startKey = startKeyOf(raw[q.limit - 1], q.index);
    }
    const items = raw.map(q.map);
    const lastKey = (startKey as Key | undefined) ?? null;
    return { items, lastKey, nextCursor: q.cursor ? encodeCursor(q.cursor.scope, startKey) : null };
  }

  /** Every item under a key condition (small partitions only: a set's items, a schedule's sets). */
  async queryAll<T>(q: Omit<QueryPageInput<T>, 'cursor' | 'startKey' | 'limit' | 'maxPages'>): Promise<T[]> {
    const all: T[] = [];
    let startKey: Key | null = null;
    do {
      const page: QueryPageResult<T> = await this.queryPage({ ...q, startKey });
      all.push(...page.items);
      startKey = page.lastKey;
    } while (startKey);
    return all;
  }

  // ── single writes ──

  async put(item: Item): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: item }));
  }

  /** Writes `item` unless an item with its key exists; answers whether it wrote. */
  async putIfAbsent(item: Item): Promise<boolean> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  /**
   * Replaces the item if its stored `attr` (default 'version') is still `expected`; otherwise a
   * VersionConflictError naming `entity` and `id`.
   */
  async putVersioned(item: Item, v: { entity: string; id: string; expected: number; attr?: string }): Promise<void> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: item, ...versionCondition(v.expected, v.attr) }));
    } catch (err) {
      if (isConditionFailure(err)) throw new VersionConflictError(v.entity, v.id, v.expected);
      throw err;
    }
  }

  async update(input: Omit<UpdateCommandInput, 'TableName'>): Promise<void> {
    await this.doc.send(new UpdateCommand({ ...input, TableName: this.table }));
  }

  /** An update whose ConditionExpression may refuse it: answers false when it did. */
  async updateIf(input: Omit<UpdateCommandInput, 'TableName'> & { ConditionExpression: string }): Promise<boolean> {
    try {
      await this.update(input);
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  /** Deletes the item if it exists; answers whether it did. */
  async deleteIfExists(key: Key): Promise<boolean> {
    try {
      await this.doc.send(new DeleteCommand({ TableName: this.table, Key: key, ConditionExpression: 'attribute_exists(pk)' }));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  // ── transactions ──

  /**
   * One TransactWriteItems. A cancellation is read per item: the first item whose condition failed
   * throws its own error (`onConditionFailed`, else CompanionConflictError naming it); otherwise a
   * TransactionConflict on any item is a TransactionConflictError; anything else is rethrown.
   */
  async transact(items: TxItem[]): Promise<void> {
    // The one place transactions retry contention. DynamoDB cancels a TransactWriteItems when another
    // transaction is in progress on one of its items, with the reason TransactionConflict (API
    // Reference, TransactWriteItems / TransactionCanceledException); a cancelled transaction wrote
    // nothing, so sending it again is safe. The SDK's own retries do not cover it (the cancellation is
    // not a retryable error), so: up to `transactAttempts` tries with full-jitter backoff, each
    // conflict counted (TransactionConflicts metric), then the TransactionConflictError for the caller.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.doc.send(new TransactWriteCommand({ TransactItems: items.map((i) => withTable(i.op, this.table)) }));
        return;
      } catch (err) {
        const typed = cancellationError(err, items) ?? err;
        if (!(typed instanceof TransactionConflictError)) throw typed;
        this.onTransactionConflict(typed, attempt);
        if (attempt >= this.transactAttempts) throw typed;
        await this.backoff(attempt);
      }
    }
  }

  /**
   * A unique-marker transaction: `marker` is written only if no item has its key (asked with
   * ReturnValuesOnConditionCheckFailure ALL_OLD), together with `others`. Answers null when all was
   * written, or the marker as it was when the marker is why it failed — the holder, without a second read.
   */
  async putUnique(marker: { name: string; Item: Item }, others: TxItem[] = []): Promise<Item | null> {
    try {
      await this.transact([
        {
          name: marker.name,
          op: { Put: { Item: marker.Item, ConditionExpression: 'attribute_not_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
          onConditionFailed: (old) => new MarkerHeld(old),
        },
        ...others,
      ]);
      return null;
    } catch (err) {
      if (err instanceof MarkerHeld) return err.old;
      throw err;
    }
  }

  // ── batches ──

  /** BatchGet in chunks of 100, retrying unprocessed keys; consistent by default; `projection`: only these attributes. */
  async batchGet(keys: Key[], opts: { consistent?: boolean; projection?: string[] } = {}): Promise<Item[]> {
    const projection = opts.projection?.length
      ? { ProjectionExpression: opts.projection.map((_, i) => `#p${i}`).join(', '), ExpressionAttributeNames: Object.fromEntries(opts.projection.map((n, i) => [`#p${i}`, n])) }
      : {};
    const found: Item[] = [];
    for (let i = 0; i < keys.length; i += GET_CHUNK) {
      let pending: Key[] = keys.slice(i, i + GET_CHUNK);
      for (let round = 0; pending.length > 0; round++) {
        if (round >= this.batch.maxRounds) throw new BatchIncompleteError('BatchGet', pending.length, round);
        if (round > 0) await this.backoff(round);
        const out = await this.doc.send(
          new BatchGetCommand({ RequestItems: { [this.table]: { Keys: pending, ConsistentRead: opts.consistent ?? true, ...projection } } }),
        );
        found.push(...(out.Responses?.[this.table] ?? []));
        pending = (out.UnprocessedKeys?.[this.table]?.Keys as Key[] | undefined) ?? [];
      }
    }
    return found;
  }

  batchPut(items: Item[]): Promise<void> {
    return this.batchWrite(items.map((Item) => ({ PutRequest: { Item } })));
  }

  batchDelete(keys: Key[]): Promise<void> {
    return this.batchWrite(keys.map((Key) => ({ DeleteRequest: { Key } })));
  }

  /** BatchWrite in chunks of 25, retrying unprocessed items; throws BatchIncompleteError when the budget is spent. */
  private async batchWrite(requests: Array<Record<string, unknown>>): Promise<void> {
    for (let i = 0; i < requests.length; i += WRITE_CHUNK) {
      let pending = requests.slice(i, i + WRITE_CHUNK);
      for (let round = 0; pending.length > 0; round++) {
        if (round >= this.batch.maxRounds) throw new BatchIncompleteError('BatchWrite', pending.length, round);
        if (round > 0) await this.backoff(round);
        const out = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.table]: pending as never } }));
        pending = (out.UnprocessedItems?.[this.table] as typeof pending | undefined) ?? [];
      }
    }
  }

  private backoff(round: number): Promise<void> {
    const ceiling = Math.min(this.batch.capMs, this.batch.baseMs * 2 ** round);
    return this.batch.sleep(Math.floor(this.batch.random() * ceiling));
  }
}

/** The condition of an optimistic-concurrency write: the stored `attr` is still `expected`. */
export function versionCondition(expected: number, attr = 'version') {
  return {
    ConditionExpression: '#v = :v',
    ExpressionAttributeNames: { '#v': attr },
    ExpressionAttributeValues: { ':v': expected },
  };
}

function withTable(op: TxOp, table: string): Op {
  const [[verb, body]] = Object.entries(op);
  return { [verb]: { ...body, TableName: table } } as Op;
}

/** putUnique's own signal that the marker was held (never leaves this module). */
class MarkerHeld extends Error {
  constructor(readonly old: Item) {
    super('the unique marker is held');
  }
}

/** The typed error a cancelled transaction means, read per item; null when `err` is not a cancellation. */
export function cancellationError(err: unknown, items: Array<Pick<TxItem, 'name' | 'onConditionFailed'>>): Error | null {
  if (!(err instanceof TransactionCanceledException)) return null;
  const reasons = err.CancellationReasons ?? [];
  for (let i = 0; i < reasons.length; i++) {
    if (reasons[i]?.Code !== 'ConditionalCheckFailed') continue;
    const raw = reasons[i].Item;
    const old: Item = raw ? unmarshall(raw as never) : {};
    const item = items[i];
    if (!item) return new CompanionConflictError('unknown', i, old);
    return item.onConditionFailed?.(old) ?? new CompanionConflictError(item.name, i, old);
  }
  const conflicted = reasons.flatMap((r, i) => (r?.Code === 'TransactionConflict' ? [items[i]?.name ?? `#${i}`] : []));
  if (conflicted.length > 0) return new TransactionConflictError(conflicted);
  return null;
}
