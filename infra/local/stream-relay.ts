/**
 * The local DynamoDB Streams event source (§10): reads DynamoDB Local's table stream and feeds the
 * stream consumer (the real publisher handler) DynamoDBStreamEvent batches, the way Lambda's event
 * source mapping does — in order per shard, with partial batch failures retried from the first
 * failed record.
 *
 * Shards: at start, closed shards are history and skipped; open shards are read from LATEST (only
 * what happens from now on). Shards that appear later hold only new records and are read from
 * TRIM_HORIZON, once their parent shard is exhausted, so order is kept across a shard rollover.
 */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
  type Shard,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { makeDynamoClient } from '../../shared/store/clients.js';

export interface StreamRelayOptions {
  dynamoEndpoint: string;
  tableName: string;
  handler: (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse | void>;
  context: () => Context;
  batchSize?: number;
  /** like an event source filter: records it refuses never reach the handler */
  filter?: (record: DynamoDBRecord) => boolean;
  /** pause between polls when the stream is quiet */
  pollMs?: number;
  /** retries of a failing batch before it is logged and set aside (Lambda's retryAttempts) */
  maxRetries?: number;
  log?: (line: string) => void;
}

interface ShardState {
  id: string;
  parentId?: string;
  iterator?: string;
  lastSequence?: string;
  /** LATEST for shards open at start; TRIM_HORIZON for shards found later */
  startAt: ShardIteratorType;
  done: boolean;
}

const REDISCOVER_MS = 2_000;

export interface StreamRelay {
  stop(): Promise<void>;
}

export async function startStreamRelay(opts: StreamRelayOptions): Promise<StreamRelay> {
  const log = opts.log ?? (() => undefined);
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const streams = new DynamoDBStreamsClient({ endpoint: opts.dynamoEndpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const dynamo = makeDynamoClient(opts.dynamoEndpoint);
  const table = await dynamo.send(new DescribeTableCommand({ TableName: opts.tableName })).finally(() => dynamo.destroy());
  const streamArn = table.Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${opts.tableName} has no stream; the run events need one (StreamSpecification in createTableInput)`);

  const shards = new Map<string, ShardState>();
  let stopped = false;
  let wake: () => void = () => undefined;
  const sleep = (ms: number) => new Promise<void>((r) => { const t = setTimeout(r, ms); wake = () => { clearTimeout(t); r(); }; });

  async function listShards(): Promise<Shard[]> {
    const all: Shard[] = [];
    let start: string | undefined;
    do {
      const out = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }));
      all.push(...(out.StreamDescription?.Shards ?? []));
      start = out.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    return all;
  }

  async function discover(initial: boolean) {
    for (const shard of await listShards()) {
      const id = shard.ShardId!;
      if (shards.has(id)) continue;
      const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
      shards.set(id, { id, parentId: shard.ParentShardId, startAt: initial ? 'LATEST' : 'TRIM_HORIZON', done: initial && closed });
    }
  }

  async function iteratorOf(shard: ShardState): Promise<string | undefined> {
    const out = await streams.send(
      new GetShardIteratorCommand(
        shard.lastSequence
          ? { StreamArn: streamArn, ShardId: shard.id, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: shard.lastSequence }
          : { StreamArn: streamArn, ShardId: shard.id, ShardIteratorType: shard.startAt },
      ),
    );
    return out.ShardIterator;
  }

  const toLambdaRecord = (r: StreamRecord) => toLambdaStreamRecord(r, { region, streamArn });

  /** Invokes the handler until the batch is acknowledged, retrying from the first failed record. */
  async function deliver(records: DynamoDBRecord[]) {
    let batch = records;
    for (let attempt = 0; batch.length > 0 && !stopped; attempt++) {
      let failedFrom: number;
      try {
        const result = await opts.handler({ Records: batch }, opts.context());
        const failedIds = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        if (failedIds.size === 0) return;
        const index = batch.findIndex((r) => failedIds.has(r.dynamodb?.SequenceNumber ?? ''));
        // An identifier that is no record of the batch fails the whole batch, as with Lambda.
        failedFrom = index < 0 ? 0 : index;
      } catch (err) {
        log(`stream relay: the stream handler threw: ${(err as Error).message}`);
        failedFrom = 0;
      }
      if (attempt >= (opts.maxRetries ?? 5)) {
        log(`stream relay: set aside ${batch.length - failedFrom} record(s) after ${attempt + 1} tries, from sequence ${batch[failedFrom].dynamodb?.SequenceNumber}`);
        return;
      }
      batch = batch.slice(failedFrom);
      await sleep(Math.min(5_000, 200 * 2 ** attempt));
    }
  }

  /** Reads one batch from the shard; answers whether it got records. */
  async function pollShard(shard: ShardState): Promise<boolean> {
    shard.iterator ??= await iteratorOf(shard);
    if (!shard.iterator) {
      shard.done = true;
      return false;
    }
    let out;
    try {
      out = await streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: opts.batchSize ?? 100 }));
    } catch (err) {
      if ((err as Error).name === 'ExpiredIteratorException') {
        shard.iterator = undefined; // resume after the last record seen
        return false;
      }
      throw err;
    }
    const records = out.Records ?? [];
    if (records.length > 0) {
      const batch = records.map(toLambdaRecord).filter((r) => opts.filter?.(r) ?? true);
      if (batch.length > 0) await deliver(batch);
      shard.lastSequence = records[records.length - 1].dynamodb?.SequenceNumber;
    }
    shard.iterator = out.NextShardIterator;
    if (!shard.iterator) shard.done = true; // a closed shard, read to its end
    return records.length > 0;
  }

  // Open shards get their LATEST iterator before start resolves: every write after it is seen.
  await discover(true);
  for (const shard of shards.values()) if (!shard.done) shard.iterator = await iteratorOf(shard);

  const loop = (async () => {
    let lastDiscovery = Date.now();
    while (!stopped) {
      let busy = false;
      try {
        if (Date.now() - lastDiscovery > REDISCOVER_MS) {
          await discover(false);
          lastDiscovery = Date.now();
        }
        for (const shard of shards.values()) {
          if (stopped) break;
          if (shard.done || (shard.parentId && shards.get(shard.parentId)?.done === false)) continue;
          busy = (await pollShard(shard)) || busy;
        }
      } catch (err) {
        if (stopped) break;
        log(`stream relay: ${(err as Error).message}`);
      }
      if (!busy && !stopped) await sleep(opts.pollMs ?? 250);
    }
  })();

  return {
    async stop() {
      stopped = true;
      wake();
      await loop;
      streams.destroy();
    },
  };
}

/**
 * The Streams SDK client deserializes an empty map attribute (`{ "M": {} }`) as `{}`, which
 * unmarshall then refuses; Lambda hands the handler the wire form. Restores it, at any depth.
 */
export function restoreEmptyMaps(item: Record<string, unknown>): Record<string, unknown> {
  const value = (v: unknown): unknown => {
    if (!v || typeof v !== 'object') return v;
    const av = v as Record<string, unknown>;
    if (Object.keys(av).length === 0) return { M: {} };
    if (av.M && typeof av.M === 'object') return { M: restoreEmptyMaps(av.M as Record<string, unknown>) };
    if (Array.isArray(av.L)) return { L: av.L.map(value) };
    return av;
  };
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, value(v)]));
}

const image = (i: Record<string, unknown> | undefined) => (i ? (restoreEmptyMaps(i) as never) : undefined);

/** A record from the Streams API in the shape Lambda's DynamoDB event source delivers it. */
export function toLambdaStreamRecord(r: StreamRecord, source: { region?: string; streamArn?: string } = {}): DynamoDBRecord {
  return {
    eventID: r.eventID,
    eventName: r.eventName as DynamoDBRecord['eventName'],
    eventVersion: r.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: r.awsRegion ?? source.region,
    eventSourceARN: source.streamArn,
    dynamodb: {
      ApproximateCreationDateTime: r.dynamodb?.ApproximateCreationDateTime ? Math.floor(r.dynamodb.ApproximateCreationDateTime.getTime() / 1000) : undefined,
      Keys: image(r.dynamodb?.Keys),
      NewImage: image(r.dynamodb?.NewImage),
      OldImage: image(r.dynamodb?.OldImage),
      SequenceNumber: r.dynamodb?.SequenceNumber,
      SizeBytes: r.dynamodb?.SizeBytes,
      StreamViewType: r.dynamodb?.StreamViewType,
    },
  };
}
