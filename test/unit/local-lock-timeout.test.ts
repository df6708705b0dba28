/**
 * DynamoDB Local's lock timeout (a 500 DynamoDB never sends) reaches the code as DynamoDB's own answer
 * to contention: a TransactionCanceledException with TransactionConflict reasons, which
 * TableClient.transact retries and then reports as a TransactionConflictError. A small HTTP server
 * answers as DynamoDB Local does under load, so the real client's middleware stack is under test.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetItemCommand, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDocumentClient, makeDynamoClient } from '../../shared/store/clients.js';
import { TransactionConflictError } from '../../shared/store/errors.js';
import { TableClient } from '../../shared/store/table-client.js';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';

const LOCK_TIMEOUT = 'This action timed out because it too long waiting for a lock. This request will succeed in actual DynamoDB API';

let server: Server;
let endpoint: string;
const seen: string[] = [];
let lockedUntilCall = Infinity; // transactions time out on the lock until this many have been tried

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target']).split('.').pop()!;
      seen.push(target);
      const transacts = seen.filter((t) => t === 'TransactWriteItems').length;
      if (target === 'TransactWriteItems' && transacts < lockedUntilCall || target === 'GetItem' && seen.filter((t) => t === 'GetItem').length === 1) {
        res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': 'InternalServerError' });
        res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: LOCK_TIMEOUT }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const items = [
  { Put: { TableName: 't', Item: { pk: 'A', sk: 'A' } } },
  { Put: { TableName: 't', Item: { pk: 'B', sk: 'B' } } },
];

describe("DynamoDB Local's lock timeout", () => {
  it('is a TransactionCanceledException with a TransactionConflict per item, sent once (the SDK does not retry it as a 500)', async () => {
    seen.length = 0;
    lockedUntilCall = Infinity;
    const doc = makeDocumentClient(makeDynamoClient(endpoint));
    const err = await doc.send(new TransactWriteCommand({ TransactItems: items })).catch((e) => e);
    expect(err).toBeInstanceOf(TransactionCanceledException);
    expect(err.CancellationReasons).toEqual([
      { Code: 'TransactionConflict', Message: expect.any(String) },
      { Code: 'TransactionConflict', Message: expect.any(String) },
    ]);
    expect(seen).toEqual(['TransactWriteItems']);
  });

  it('TableClient.transact retries it like a conflict, and succeeds once the lock is free', async () => {
    seen.length = 0;
    lockedUntilCall = 3;
    const tc = new TableClient(makeDocumentClient(makeDynamoClient(endpoint)), 't', { transactAttempts: 5, sleep: async () => undefined });
    await tc.transact(items.map((op, i) => ({ name: `item${i}`, op: { Put: { Item: op.Put.Item } } })) as never);
    expect(seen).toEqual(['TransactWriteItems', 'TransactWriteItems', 'TransactWriteItems']);
  });

  it('a lasting one ends as TransactionConflictError after the attempts', async () => {
    seen.length = 0;
    lockedUntilCall = Infinity;
    const tc = new TableClient(makeDocumentClient(makeDynamoClient(endpoint)), 't', { transactAttempts: 4, sleep: async () => undefined });
    const err = await tc.transact([{ name: 'run', op: { Put: { Item: { pk: 'A', sk: 'A' } } } }] as never).catch((e) => e);
    expect(err).toBeInstanceOf(TransactionConflictError);
    expect(seen).toHaveLength(4);
  });

  it('other operations keep the 500, which the SDK retries (DynamoDB would have served them)', async () => {
    seen.length = 0;
    const client = makeDynamoClient(endpoint);
    await client.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'A' }, sk: { S: 'A' } } }));
    expect(seen).toEqual(['GetItem', 'GetItem']);
  });

  it('an AWS client (no local endpoint) has no such middleware', () => {
    const names = (c: { middlewareStack: { identify(): string[] } }) => c.middlewareStack.identify().join(' ');
    expect(names(makeDynamoClient(endpoint))).toContain('localLockTimeoutAsConflict');
    expect(names(makeDynamoClient(''))).not.toContain('localLockTimeoutAsConflict');
  });
});
