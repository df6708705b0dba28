/**
 * The chaos kit: a seeded PRNG, a fault-injecting DynamoDB document client, an in-memory SQS with
 * at-least-once, reordering and redrive semantics, and a reader of the test table's real stream.
 * Everything random draws from a seeded PRNG, so a failing scenario's plan can be replayed from its
 * seed (the interleaving of real I/O is not replayable; the plan and the fault dice are).
 */
import { InternalServerError, ProvisionedThroughputExceededException, DescribeTableCommand, TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, SQSRecord } from 'aws-lambda';
import type { WorkMessage, WorkQueue } from '../../../shared/runs/ports.js';
import { toLambdaStreamRecord } from '../../../infra/local/stream-relay.js';

// ── seeded randomness ─────────────────────────────────────────────────────────────────────────

export interface Rng {
  next(): number;
  int(lo: number, hi: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  shuffle<T>(items: T[]): T[];
  fork(salt: number): Rng;
}

/** mulberry32: tiny, fast, good enough to drive dice; `fork` derives independent streams. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const self: Rng = {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)],
    shuffle: (items) => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [items[i], items[j]] = [items[j], items[i]];
      }
      return items;
    },
    fork: (salt) => rng(hash32(`${seed}:${salt}`)),
  };
  return self;
}

export function hash32(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

// ── DynamoDB faults ───────────────────────────────────────────────────────────────────────────

export interface DynamoFaultRates {
  /** the call fails without reaching DynamoDB */
  before: number;
  /** the call reached DynamoDB and committed, then the caller sees an error (the interesting case) */
  after: number;
  /**
   * a TransactWriteItems is cancelled with TransactionConflict on one item and writes nothing — what
   * real DynamoDB does when another transaction is in progress on that item (DynamoDB Local
   * serializes transactions and never answers it)
   */
  conflict?: number;
}

export interface FaultLog {
  before: number;
  after: number;
  conflicts?: number;
  calls?: number;
}

function dynamoFault(dice: Rng): Error {
  const meta = { $metadata: { httpStatusCode: 400 } };
  switch (dice.int(0, 2)) {
    case 0:
      return new ProvisionedThroughputExceededException({ message: 'The level of configured provisioned throughput for the table was exceeded (chaos)', ...meta });
    case 1:
      return new InternalServerError({ message: 'Internal server error (chaos)', $metadata: { httpStatusCode: 500 } });
    default:
      return Object.assign(new Error('Rate of requests exceeds the allowed throughput (chaos)'), { name: 'ThrottlingException', $fault: 'client', ...meta });
  }
}

/**
 * A document client whose `send` throws a throttling or server error before the real call, or after
 * it committed. Everything else is the real client. `enabled()` lets a scenario switch faults off.
 */
export function faultyDoc(doc: DynamoDBDocumentClient, dice: Rng, rates: DynamoFaultRates, enabled: () => boolean = () => true, log?: FaultLog): DynamoDBDocumentClient {
  return new Proxy(doc, {
    get(target, prop) {
      if (prop === 'send') {
        return async (command: never, ...rest: never[]) => {
          if (log) log.calls = (log.calls ?? 0) + 1;
          const tx = (command as { constructor?: { name?: string }; input?: { TransactItems?: unknown[] } });
          if (enabled() && rates.conflict && tx.constructor?.name === 'TransactWriteCommand' && dice.chance(rates.conflict)) {
            if (log) log.conflicts = (log.conflicts ?? 0) + 1;
            const n = tx.input?.TransactItems?.length ?? 1;
            const hit = dice.int(0, n - 1);
            throw new TransactionCanceledException({
              message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict] (chaos)',
              $metadata: { httpStatusCode: 400 },
              CancellationReasons: Array.from({ length: n }, (_, i) => (i === hit ? { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' } : { Code: 'None' })),
            });
          }
          if (enabled() && dice.chance(rates.before)) {
            if (log) log.before++;
            throw dynamoFault(dice);
          }
          const out = await (target.send as (...a: unknown[]) => Promise<unknown>)(command, ...rest);
          if (enabled() && dice.chance(rates.after)) {
            if (log) log.after++;
            throw dynamoFault(dice);
          }
          return out;
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

// ── SQS ───────────────────────────────────────────────────────────────────────────────────────

export interface QueuedMessage {
  messageId: string;
  body: string;
  receiveCount: number;
  visibleAt: number;
}

export interface ChaosQueueOptions {
  now: () => number;
  dice: Rng;
  /** SendMessage throws and nothing was enqueued */
  sendFailure: number;
  /** SendMessage throws although the message WAS enqueued (timeout after the server accepted it) */
  sendFailureAfterAccept: number;
  /** the queue holds a second copy (standard queues deliver at least once) */
  duplicate: number;
  /** a receive leaves the message visible, so a concurrent consumer gets it too */
  ghostDelivery: number;
  visibilityMs: number;
  maxReceiveCount: number;
  enabled: () => boolean;
}

/** A standard queue with its DLQ: at-least-once, unordered, redrive after maxReceiveCount receives. */
export class ChaosQueue implements WorkQueue {
  readonly messages: QueuedMessage[] = [];
  readonly dlq: QueuedMessage[] = [];
  private counter = 0;

  constructor(private readonly opts: ChaosQueueOptions) {}

  private enqueue(body: string, delayMs = 0) {
    this.messages.push({ messageId: `m${++this.counter}`, body, receiveCount: 0, visibleAt: this.opts.now() + delayMs });
  }

  async send(message: WorkMessage, opts: { delaySeconds?: number } = {}): Promise<void> {
    const { dice, enabled } = this.opts;
    if (enabled() && dice.chance(this.opts.sendFailure)) throw Object.assign(new Error('SQS SendMessage failed (chaos)'), { name: 'ServiceUnavailable' });
    const body = JSON.stringify(message);
    this.enqueue(body, (opts.delaySeconds ?? 0) * 1000);
    if (enabled() && dice.chance(this.opts.duplicate)) this.enqueue(body);
    if (enabled() && dice.chance(this.opts.sendFailureAfterAccept)) throw Object.assign(new Error('SQS SendMessage timed out (chaos)'), { name: 'TimeoutError' });
  }

  /** Up to `max` visible messages in random order; a message over maxReceiveCount moves to the DLQ instead. */
  receive(max: number): QueuedMessage[] {
    const now = this.opts.now();
    const visible = this.opts.dice.shuffle(this.messages.filter((m) => m.visibleAt <= now));
    const got: QueuedMessage[] = [];
    for (const m of visible) {
      if (got.length >= max) break;
      if (m.receiveCount >= this.opts.maxReceiveCount) {
        this.remove(m.messageId);
        this.dlq.push({ ...m, receiveCount: 0, visibleAt: now });
        continue;
      }
      m.receiveCount++;
      if (!(this.opts.enabled() && this.opts.dice.chance(this.opts.ghostDelivery))) m.visibleAt = now + this.opts.visibilityMs;
      got.push({ ...m });
    }
    return got;
  }

  receiveDead(max: number): QueuedMessage[] {
    const now = this.opts.now();
    const got = this.dlq.filter((m) => m.visibleAt <= now).slice(0, max);
    for (const m of got) {
      m.receiveCount++;
      m.visibleAt = now + this.opts.visibilityMs;
    }
    return got.map((m) => ({ ...m }));
  }

  /** Lambda's event source mapping deletes what the batch acknowledged. */
  ack(messageId: string, fromDlq = false) {
    this.remove(messageId, fromDlq);
  }

  private remove(messageId: string, fromDlq = false) {
    const list = fromDlq ? this.dlq : this.messages;
    const i = list.findIndex((m) => m.messageId === messageId);
    if (i >= 0) list.splice(i, 1);
  }

  get idle() {
    return this.messages.length === 0 && this.dlq.length === 0;
  }
}

export function sqsRecord(m: QueuedMessage): SQSRecord {
  return {
    messageId: m.messageId,
    receiptHandle: `rh-${m.messageId}-${m.receiveCount}`,
    body: m.body,
    attributes: { ApproximateReceiveCount: String(m.receiveCount) } as never,
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:chaos',
    awsRegion: 'us-east-1',
  };
}

// ── the table's stream ────────────────────────────────────────────────────────────────────────

/**
 * Reads the whole stream of one table, in order (a child shard only after its parent), as Lambda
 * records. `drain()` answers every record committed since the previous call.
 */
export class StreamReader {
  private readonly streams: DynamoDBStreamsClient;
  private streamArn?: string;
  private readonly shards = new Map<string, { parentId?: string; iterator?: string; lastSequence?: string; done: boolean }>();

  constructor(endpoint: string, private readonly dynamo: DynamoDBClient, private readonly table: string) {
    this.streams = new DynamoDBStreamsClient({ endpoint, region: process.env.AWS_REGION ?? 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  }

  private async discover() {
    this.streamArn ??= (await this.dynamo.send(new DescribeTableCommand({ TableName: this.table }))).Table!.LatestStreamArn!;
    let start: string | undefined;
    do {
      const out = await this.streams.send(new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: start }));
      for (const s of out.StreamDescription?.Shards ?? []) {
        if (!this.shards.has(s.ShardId!)) this.shards.set(s.ShardId!, { parentId: s.ParentShardId, done: false });
      }
      start = out.StreamDescription?.LastEvaluatedShardId;
    } while (start);
  }

  async drain(): Promise<DynamoDBRecord[]> {
    await this.discover();
    const out: DynamoDBRecord[] = [];
    for (let progress = true; progress; ) {
      progress = false;
      for (const [id, shard] of this.shards) {
        if (shard.done) continue;
        if (shard.parentId && this.shards.get(shard.parentId)?.done === false) continue;
        shard.iterator ??= (await this.streams.send(new GetShardIteratorCommand(shard.lastSequence
          ? { StreamArn: this.streamArn, ShardId: id, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: shard.lastSequence }
          : { StreamArn: this.streamArn, ShardId: id, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
        for (;;) {
          if (!shard.iterator) { shard.done = true; progress = true; break; }
          const page = await this.streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: 1000 }));
          const records = page.Records ?? [];
          out.push(...records.map(toLambdaRecord));
          if (records.length) shard.lastSequence = records[records.length - 1].dynamodb?.SequenceNumber;
          shard.iterator = page.NextShardIterator;
          // An open shard answers an empty page at its end (and keeps an iterator); stop there.
          if (records.length === 0) {
            if (!shard.iterator) { shard.done = true; progress = true; }
            break;
          }
          progress = true;
        }
      }
    }
    return out;
  }

  close() {
    this.streams.destroy();
  }
}

const toLambdaRecord = (r: StreamRecord): DynamoDBRecord => toLambdaStreamRecord(r);
