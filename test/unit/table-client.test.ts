/**
 * The table client's read options and error mapping, against a mocked document client. DynamoDB
 * Local always reads consistently, so only these tests notice a read that stops asking for it.
 */
import { CATALOG } from '../../shared/operations/catalog.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException, DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { LIST_RUNS_MAX_QUERIES, RunStore, toRunItem } from '../../shared/store/run-store.js';
import { DriftStore, type DriftFinding } from '../../shared/store/drift-store.js';
import { BackupStore } from '../../shared/store/backup-store.js';
import { NotificationStore } from '../../shared/store/notification-store.js';
import { TableClient } from '../../shared/store/table-client.js';
import {
  BatchIncompleteError,
  CompanionConflictError,
  RunConditionFailedError,
  TransactionConflictError,
  VersionConflictError,
} from '../../shared/store/errors.js';
import { ActiveRunExistsError, InvalidCursorError } from '../../shared/runs/errors.js';
import { RunService } from '../../shared/runs/service.js';
import { transition } from '../../shared/runs/lifecycle.js';
import { keys } from '../../shared/store/keys.js';
import { encodeCursor } from '../../shared/store/cursor.js';
import type { Run } from '../../shared/runs/model.js';

const TABLE = 'unit-table';
const NOW = new Date('2026-03-01T10:00:00.000Z');
const doc = DynamoDBDocumentClient.from(
  new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
);
const ddb = mockClient(doc);

beforeEach(() => ddb.reset());
afterEach(() => ddb.reset());

const store = () => new RunStore(doc, TABLE, () => NOW);

function aRun(overrides: Partial<Run> = {}): Run {
  const service = new RunService({ catalog: CATALOG, store: store(), queue: { send: async () => {} }, clock: () => NOW });
  const run = service.newRun({ tenantId: 'contoso', type: 'inventory.sync', input: {}, initiator: { userId: 'alice', name: 'Alice' }, surface: 'api' });
  return { ...run, ...overrides };
}

const cancelled = (...reasons: Array<{ Code: string; Item?: Record<string, unknown> }>) =>
  new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: reasons as never });

describe('consistent reads (9c)', () => {
  it('reads the run with ConsistentRead: true, by default and when asked', async () => {
    const run = aRun();
    ddb.on(GetCommand).resolves({ Item: toRunItem(run) });
    expect((await store().getRun('contoso', run.id))?.id).toBe(run.id);
    await store().getRun('contoso', run.id, { consistent: true });
    const calls = ddb.commandCalls(GetCommand);
    expect(calls).toHaveLength(2);
    for (const c of calls) {
      expect(c.args[0].input).toEqual({ TableName: TABLE, Key: keys.run('contoso', run.id), ConsistentRead: true });
    }
  });

  it('reads the active run key with ConsistentRead: true', async () => {
    ddb.on(GetCommand).resolves({ Item: { runId: 'r-holder' } });
    expect(await store().activeKeyHolder('contoso', 'inventory.sync', 'h1')).toBe('r-holder');
    expect(ddb.commandCalls(GetCommand)[0].args[0].input).toEqual({
      TableName: TABLE,
      Key: keys.activeKey('contoso', 'inventory.sync', 'h1'),
      ConsistentRead: true,
    });
  });

  it('the run service reads the holder of a held key consistently before answering it', async () => {
    const holder = aRun({ id: '01HOLDER000000000000000000' });
    ddb.on(TransactWriteCommand).rejects(cancelled({ Code: 'ConditionalCheckFailed', Item: { runId: { S: holder.id } } }, { Code: 'None' }));
    ddb.on(GetCommand).resolves({ Item: toRunItem(holder) });
    const service = new RunService({ catalog: CATALOG, store: store(), queue: { send: async () => {} }, clock: () => NOW });
    const out = await service.startRun({ tenantId: 'contoso', type: 'inventory.sync', input: {}, initiator: { userId: 'alice', name: 'Alice' }, surface: 'api' });
    expect(out).toMatchObject({ deduplicated: true, run: { id: holder.id } });
    expect(ddb.commandCalls(GetCommand)[0].args[0].input.ConsistentRead).toBe(true);
  });
});

describe('the query-page helper', () => {
  it('passes Limit (one past the page), order and no start key on a first page; a match past the page makes its last key the cursor', async () => {
    const run = aRun();
    const next = aRun({ id: '01HNEXT0000000000000000000' });
    const last = { pk: 'TENANT#contoso', sk: `RUN#${run.id}` };
    ddb.on(QueryCommand).resolves({ Items: [toRunItem(run), toRunItem(next)], LastEvaluatedKey: { pk: 'TENANT#contoso', sk: `RUN#${next.id}` } });
    const page = await store().listRuns('contoso', {}, 1);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(1);
    const input = ddb.commandCalls(QueryCommand)[0].args[0].input;
    expect(input).toMatchObject({ TableName: TABLE, Limit: 2, ScanIndexForward: false });
    expect(input.ExclusiveStartKey).toBeUndefined();
    expect(input.IndexName).toBeUndefined();
    expect(input.KeyConditionExpression).toBe('#pk = :pk AND #sk BETWEEN :skLo AND :skHi');
    expect(input.ExpressionAttributeValues).toMatchObject({ ':pk': 'TENANT#contoso', ':skLo': 'RUN#0', ':skHi': 'RUN#~' });
    expect(page.items.map((r) => r.id)).toEqual([run.id]);
    expect(page.nextCursor).toBe(encodeCursor('runs:contoso:table:TENANT#contoso', last));
  });

  it('turns a cursor back into ExclusiveStartKey, and ends with a null cursor', async () => {
    const first1 = aRun({ id: '01ABC000000000000000000000' });
    // the page's last item through the index: the table's keys and the index's
    const last = { pk: 'TENANT#contoso', sk: `RUN#${first1.id}`, byTypePk: 'TENANT#contoso#TYPE#inventory.sync', runSk: first1.id };
    ddb.on(QueryCommand).resolvesOnce({ Items: [toRunItem(first1), toRunItem(aRun({ id: '01ABB000000000000000000000' }))], LastEvaluatedKey: { pk: 'x', sk: 'y' } }).resolves({ Items: [] });
    const first = await store().listRuns('contoso', { type: 'inventory.sync' }, 1);
    const second = await store().listRuns('contoso', { type: 'inventory.sync' }, 5, first.nextCursor!);
    const [a, b] = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(a.IndexName).toBe('byType');
    expect(b.ExclusiveStartKey).toEqual(last);
    expect(b.Limit).toBe(6);
    expect(second.nextCursor).toBeNull();
  });

  it('a full page that ends the list has a null cursor (no empty last page)', async () => {
    ddb.on(QueryCommand).resolves({ Items: [toRunItem(aRun({ id: '01ABC000000000000000000000' })), toRunItem(aRun({ id: '01ABB000000000000000000000' }))] });
    const page = await store().listRuns('contoso', {}, 2);
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).toBeNull();
  });

  it('fills a filtered runs page with more Queries within the read budget, then answers a cursor', async () => {
    const last = { pk: 'TENANT#contoso', sk: 'RUN#01ABC', byTypePk: 'TENANT#contoso#TYPE#inventory.sync', runSk: '01ABC' };
    // every Query finds nothing that passes the filter but says there is more
    ddb.on(QueryCommand).resolves({ Items: [], LastEvaluatedKey: last });
    const empty = await store().listRuns('contoso', { type: 'inventory.sync', surface: 'console' }, 5);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(LIST_RUNS_MAX_QUERIES);
    expect(empty.items).toEqual([]);
    expect(empty.nextCursor).toEqual(expect.any(String));
    // one match per Query: the page fills up and never asks for more than still fits
    ddb.reset();
    ddb.on(QueryCommand).callsFake(() => ({ Items: [toRunItem(aRun())], LastEvaluatedKey: last }));
    const full = await store().listRuns('contoso', { type: 'inventory.sync', surface: 'console' }, 3);
    expect(full.items).toHaveLength(3);
    expect(ddb.commandCalls(QueryCommand).map((c) => c.args[0].input.Limit)).toEqual([4, 3, 2, 1]);
    expect(full.nextCursor).toEqual(expect.any(String));
  });

  it('refuses a cursor issued for another list or another partition, before any Query', async () => {
    const forOtherList = encodeCursor('runs:fabrikam:table:TENANT#fabrikam', { pk: 'TENANT#fabrikam', sk: 'RUN#1' })!;
    await expect(store().listRuns('contoso', {}, 5, forOtherList)).rejects.toBeInstanceOf(InvalidCursorError);
    const sameScopeOtherPartition = encodeCursor('runs:contoso:table:TENANT#contoso', { pk: 'TENANT#fabrikam', sk: 'RUN#1' })!;
    await expect(store().listRuns('contoso', {}, 5, sameScopeOtherPartition)).rejects.toBeInstanceOf(InvalidCursorError);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('continues a filtered page until it fills, asking only for what still fits', async () => {
    const n = (id: string) => ({ pk: 'USER#alice', sk: `NOTIF#${id}`, id, notificationKind: 'run.completed', expiresAt: 9e9 });
    const k1 = { pk: 'USER#alice', sk: 'NOTIF#A' };
    const k2 = { pk: 'USER#alice', sk: 'NOTIF#C' };
    ddb.on(QueryCommand).resolvesOnce({ Items: [n('A')], LastEvaluatedKey: k1 }).resolvesOnce({ Items: [n('B'), n('C'), n('D')], LastEvaluatedKey: { pk: 'USER#alice', sk: 'NOTIF#D' } });
    const page = await new NotificationStore(doc, TABLE, () => NOW).listForUser('alice', { unreadOnly: true }, 3);
    const calls = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.Limit)).toEqual([4, 3]);
    expect(calls[0].ExclusiveStartKey).toBeUndefined();
    expect(calls[1].ExclusiveStartKey).toEqual(k1);
    expect(calls[0].FilterExpression).toContain('attribute_not_exists(#readAt)');
    expect(page.items.map((i) => i.id)).toEqual(['A', 'B', 'C']);
    expect(page.nextCursor).toBe(encodeCursor('notifications:alice:*:unread', k2));
  });

  it('stops at the read budget (5 Queries) when the filter keeps the page empty', async () => {
    const k = { pk: 'USER#alice', sk: 'NOTIF#Z' };
    ddb.on(QueryCommand).resolves({ Items: [], LastEvaluatedKey: k });
    const page = await new NotificationStore(doc, TABLE, () => NOW).listForUser('alice', { unreadOnly: true }, 10);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(5);
    expect(page.items).toEqual([]);
    expect(page.nextCursor).toBe(encodeCursor('notifications:alice:*:unread', k));
  });
});

const finding = (policyId: string): DriftFinding => ({
  tenantId: 'contoso', baselineBackupSetId: 'set1', policyId, category: 'c', displayName: policyId, kind: 'added',
  changedPaths: [], policyVersion: 1, detectedAt: NOW.toISOString(), runId: 'r1',
});

describe('batch writes', () => {
  it('retries the items BatchWrite left unprocessed, and only those', async () => {
    const keysOf = (ids: string[]) => ids.map((id) => ({ DeleteRequest: { Key: keys.driftFinding('contoso', 'set1', id) } }));
    ddb.on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { [TABLE]: keysOf(['p2']) } })
      .resolves({ UnprocessedItems: {} });
    await new DriftStore(doc, TABLE).deleteMany([finding('p1'), finding('p2'), finding('p3')]);
    const calls = ddb.commandCalls(BatchWriteCommand).map((c) => c.args[0].input.RequestItems![TABLE]);
    expect(calls).toEqual([keysOf(['p1', 'p2', 'p3']), keysOf(['p2'])]);
  });

  it('throws when the budget is spent, after jittered, growing pauses', async () => {
    const pauses: number[] = [];
    const client = new TableClient(doc, TABLE, { maxRounds: 4, baseMs: 10, capMs: 50, random: () => 0.999, sleep: async (ms) => void pauses.push(ms) });
    ddb.on(BatchWriteCommand).callsFake((input) => ({ UnprocessedItems: input.RequestItems }));
    const err = await client.batchDelete([{ pk: 'a', sk: '1' }, { pk: 'a', sk: '2' }]).catch((e) => e);
    expect(err).toBeInstanceOf(BatchIncompleteError);
    expect(err).toMatchObject({ code: 'batch_incomplete', unprocessed: 2, rounds: 4 });
    expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(4);
    expect(pauses).toEqual([19, 39, 49]); // random × min(cap, base × 2^round), rounds 1..3
  });

  it('a drift sweep and a set prune no longer give up silently', async () => {
    ddb.on(BatchWriteCommand).callsFake((input) => ({ UnprocessedItems: input.RequestItems }));
    await expect(new DriftStore(doc, TABLE).deleteMany([finding('p1')])).rejects.toBeInstanceOf(BatchIncompleteError);
    ddb.on(QueryCommand).resolves({ Items: [{ policyId: 'p1', id: 'p1', contentJson: '{}', assignmentsJson: '[]' }] });
    await expect(new BackupStore(doc, TABLE).deleteSet('contoso', 'set1')).rejects.toBeInstanceOf(BatchIncompleteError);
    // The set itself stays, so the next prune finds it again.
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  }, 20_000);
});

describe('transaction cancellation reasons, read per item', () => {
  const restore = { Item: { pk: 'TENANT#contoso', sk: 'RESTORE#x', kind: 'restore' }, ConditionExpression: 'attribute_not_exists(pk)' };

  it('asks for the marker image (ALL_OLD) on the active-key Put of a new run', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await store().createRun(aRun(), [restore]);
    const items = ddb.commandCalls(TransactWriteCommand)[0].args[0].input.TransactItems!;
    expect(items[0].Put).toMatchObject({ TableName: TABLE, ConditionExpression: 'attribute_not_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD', Item: { kind: 'activeKey' } });
    expect(items[1].Put).toMatchObject({ TableName: TABLE, Item: { kind: 'run' } });
    expect(items[2].Update).toMatchObject({ TableName: TABLE, ConditionExpression: 'attribute_not_exists(#n) OR #n < :max' });
    expect(items[3].Put).toMatchObject({ TableName: TABLE, Item: { kind: 'restore' } });
  });

  it('start: a held key names its holder; the run, a companion and a TransactionConflict are three other errors', async () => {
    const cases: Array<[ReturnType<typeof cancelled>, (e: unknown) => void]> = [
      // [the active key, run, the tenant's active-run counter, the restore, the timeline entry]
      [cancelled({ Code: 'ConditionalCheckFailed', Item: { runId: { S: 'r-holder' } } }, { Code: 'None' }, { Code: 'None' }, { Code: 'None' }, { Code: 'None' }),
        (e) => expect(e).toMatchObject({ constructor: ActiveRunExistsError, existingRunId: 'r-holder' })],
      [cancelled({ Code: 'None' }, { Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'None' }, { Code: 'None' }),
        (e) => expect(e).toBeInstanceOf(RunConditionFailedError)],
      [cancelled({ Code: 'None' }, { Code: 'None' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed' }, { Code: 'None' }),
        (e) => expect(e).toMatchObject({ constructor: CompanionConflictError, code: 'companion_conflict', item: 'restore', index: 3 })],
      [cancelled({ Code: 'None' }, { Code: 'TransactionConflict' }, { Code: 'None' }, { Code: 'None' }, { Code: 'None' }),
        (e) => expect(e).toMatchObject({ constructor: TransactionConflictError, code: 'transaction_conflict', items: ['run'] })],
    ];
    for (const [error, check] of cases) {
      ddb.reset();
      ddb.on(TransactWriteCommand).rejects(error);
      check(await store().createRun(aRun(), [restore]).catch((e) => e));
    }
  });

  it('transition: the run is a version conflict, the key a companion conflict, a TransactionConflict its own error', async () => {
    const prev = transition(aRun(), { type: 'claim', leaseMs: 60_000 }, NOW);
    const next = transition(prev, { type: 'complete', outcome: 'succeeded' }, NOW);
    const cases: Array<[ReturnType<typeof cancelled>, (e: unknown) => void]> = [
      [cancelled({ Code: 'ConditionalCheckFailed' }, { Code: 'None' }),
        (e) => expect(e).toMatchObject({ constructor: VersionConflictError, code: 'version_conflict', id: prev.id, expectedVersion: prev.version })],
      // [run, the tenant's active-run counter, the active key, the timeline entry]
      [cancelled({ Code: 'None' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed', Item: { runId: { S: 'other' } } }, { Code: 'None' }),
        (e) => expect(e).toMatchObject({ constructor: CompanionConflictError, item: 'activeKey', index: 2, old: { runId: 'other' } })],
      [cancelled({ Code: 'TransactionConflict' }, { Code: 'None' }),
        (e) => expect(e).toBeInstanceOf(TransactionConflictError)],
    ];
    for (const [error, check] of cases) {
      ddb.reset();
      ddb.on(TransactWriteCommand).rejects(error);
      check(await store().saveTransition(prev, next).catch((e) => e));
    }
    // Without a key to release it is the run's conditional Put and its timeline entry, in one
    // transaction: a failed run condition is the same version conflict, and no entry is written.
    ddb.reset();
    ddb.on(TransactWriteCommand).rejects(cancelled({ Code: 'ConditionalCheckFailed' }, { Code: 'None' }));
    const claimed = transition(prev, { type: 'checkpoint', leaseMs: 60_000, counts: prev.summaryCounts, cursor: null }, NOW);
    expect(await store().saveTransition(prev, claimed).catch((e) => e)).toBeInstanceOf(VersionConflictError);
    const items = ddb.commandCalls(TransactWriteCommand)[0].args[0].input.TransactItems!;
    expect(items).toHaveLength(2);
    expect(items[0].Put).toMatchObject({ ConditionExpression: '#v = :v', ExpressionAttributeValues: { ':v': prev.version } });
    expect(items[1].Put!.Item).toMatchObject({ kind: 'runLog', event: 'checkpoint', seq: claimed.version, sk: `RUNLOG#${prev.id}#${String(claimed.version).padStart(8, '0')}` });
  });

  it('the run service re-reads and re-applies after a version or transaction conflict, not after a companion conflict', async () => {
    const run = aRun();
    ddb.on(GetCommand).resolves({ Item: toRunItem(run) });
    // A claim changes the status: the run and its domain row (the sync history row) commit in one transaction.
    ddb.on(TransactWriteCommand)
      .rejectsOnce(cancelled({ Code: 'ConditionalCheckFailed' }, { Code: 'None' }))
      .resolves({});
    const service = new RunService({ catalog: CATALOG, store: store(), queue: { send: async () => {} }, clock: () => NOW });
    expect(await service.apply('contoso', run.id, { type: 'claim', leaseMs: 1000 })).toMatchObject({ status: 'running' });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(2);
    expect(ddb.commandCalls(TransactWriteCommand)[1].args[0].input.TransactItems!.map((i) => i.Update?.Key?.sk ?? i.Put?.Item?.sk)).toEqual([`RUN#${run.id}`, `SYNCRUN#inventory#${run.id}`, `RUNLOG#${run.id}#${String(run.version + 1).padStart(8, '0')}`]);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(2);

    // The projected row's condition failed (the row is gone): the run moves on without it, no re-read.
    ddb.reset();
    ddb.on(GetCommand).resolves({ Item: toRunItem(run) });
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled({ Code: 'None' }, { Code: 'ConditionalCheckFailed' })).resolves({});
    ddb.on(PutCommand).resolves({});
    expect(await service.apply('contoso', run.id, { type: 'claim', leaseMs: 1000 })).toMatchObject({ status: 'running' });
    // the retry is the run and its timeline entry, without the missing row
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(2);
    expect(ddb.commandCalls(TransactWriteCommand)[1].args[0].input.TransactItems!.map((i) => i.Put?.Item?.kind)).toEqual(['run', 'runLog']);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(1);

    ddb.reset();
    ddb.on(GetCommand).resolves({ Item: toRunItem(run) });
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled({ Code: 'TransactionConflict' }, { Code: 'None' })).resolves({});
    expect(await service.apply('contoso', run.id, { type: 'requestCancel' })).toMatchObject({ status: 'completed', outcome: 'cancelled' });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(2);

    ddb.reset();
    ddb.on(GetCommand).resolves({ Item: toRunItem(run) });
    // [run, the tenant's active-run counter, the active key (held by another run), the sync row, the timeline entry]
    ddb.on(TransactWriteCommand).rejects(cancelled({ Code: 'None' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'None' }));
    await expect(service.apply('contoso', run.id, { type: 'requestCancel' })).rejects.toBeInstanceOf(CompanionConflictError);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });
});

describe('TransactionConflict retries (issue 16, item 6)', () => {
  const tx = (onConflict: (e: unknown, attempt: number) => void, waits: number[]) =>
    new TableClient(doc, TABLE, { transactAttempts: 4, sleep: async (ms) => void waits.push(ms), random: () => 0.5, onTransactionConflict: onConflict });
  const items = [{ name: 'backupItem', op: { Put: { Item: { pk: 'a', sk: 'b' } } } }, { name: 'backupSet', op: { Update: { Key: { pk: 'a', sk: 's' }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } } } }];

  it('retries a conflicted transaction with jittered, growing backoff and counts each conflict', async () => {
    const conflict = cancelled({ Code: 'None' }, { Code: 'TransactionConflict' });
    ddb.on(TransactWriteCommand).rejectsOnce(conflict).rejectsOnce(conflict).rejectsOnce(conflict).resolves({});
    const seen: number[] = [];
    const waits: number[] = [];
    await tx((e, attempt) => { expect(e).toBeInstanceOf(TransactionConflictError); seen.push(attempt); }, waits).transact(items);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(4);
    expect(seen).toEqual([1, 2, 3]);
    expect(waits).toEqual([20, 40, 80]); // random 0.5 of min(1000, 20 × 2^attempt)
  });

  it('gives up after its attempts with the TransactionConflictError; a failed condition is never retried', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled({ Code: 'TransactionConflict' }, { Code: 'None' }));
    let conflicts = 0;
    await expect(tx(() => conflicts++, []).transact(items)).rejects.toMatchObject({ constructor: TransactionConflictError, items: ['backupItem'] });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(4);
    expect(conflicts).toBe(4);

    ddb.reset();
    ddb.on(TransactWriteCommand).rejects(cancelled({ Code: 'ConditionalCheckFailed' }, { Code: 'None' }));
    await expect(tx(() => conflicts++, []).transact(items)).rejects.toBeInstanceOf(CompanionConflictError);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });
});

describe('reference checks in the start transaction (as DynamoDB answers them)', () => {
  // TransactionCanceledException carries one CancellationReason per action, in TransactItems order,
  // "None" for the ones that passed (API Reference, TransactWriteItems). Injected here: a start whose
  // ConditionCheck on the backup set failed, the key and everything else fine.
  const check = (refusal: Error) => ({ name: 'backupSet', Check: { Key: keys.backupSet('contoso', 'gone'), ConditionExpression: 'attribute_exists(pk)' }, refusal: () => refusal });

  it('sends the check right after the key, and a ConditionalCheckFailed on it throws its refusal, not a conflict', async () => {
    const refusal = new Error('unknown backup set');
    ddb.on(TransactWriteCommand).rejects(cancelled({ Code: 'None' }, { Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'None' }, { Code: 'None' }));
    await expect(store().createRun(aRun(), [check(refusal)])).rejects.toBe(refusal);
    const items = ddb.commandCalls(TransactWriteCommand)[0].args[0].input.TransactItems!;
    expect(items[1]).toEqual({ ConditionCheck: { TableName: TABLE, Key: keys.backupSet('contoso', 'gone'), ConditionExpression: 'attribute_exists(pk)' } });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1); // a refusal is not retried
  });

  it('a held key reported with a failed check answers the holder (dedupe first)', async () => {
    const holder = aRun({ id: '01HOLDER00000000000000000A' });
    ddb.on(TransactWriteCommand).rejects(cancelled({ Code: 'ConditionalCheckFailed', Item: { runId: { S: holder.id } } }, { Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'None' }, { Code: 'None' }));
    await expect(store().createRun(aRun(), [check(new Error('unknown backup set'))])).rejects.toBeInstanceOf(ActiveRunExistsError);
  });
});
