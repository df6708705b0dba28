/**
 * Issue 18 item 2: the HTTP start as the Lambda runs it — the real `functions/api/start-run.ts`
 * handler (middy, authenticate, body limit, membership, parse, role, start plan, transaction,
 * enqueue, JSON answer) invoked with an API Gateway v2 event whose JWT the authorizer has already
 * checked (as in AWS), against DynamoDB Local and fauxqs — next to one plain PutItem on the same
 * table in the same run. Each invocation is split into steps by the SDK calls it makes:
 *
 *   auth       handler entry → the membership read starts (middy, authenticate, body limit)
 *   membership the membership GetItem
 *   validate   CPU between the calls: parse the body, check the role, build the run
 *   references the start plan's reads (wall time: they run concurrently)
 *   transaction the run + active key (+ companions) TransactWriteItems
 *   enqueue    the SendMessage (direct dispatch only)
 *   response   the last call's end → the handler's answer
 *
 * Issue 18 item 3: run once per dispatch mode (DISPATCH_MODE=direct|outbox, see shared/settings.ts).
 * In both, the table stream is read by the local stream relay and the real stream publisher, as it
 * is deployed (in `outbox` mode that publisher is also the outbox relay). After the timed starts, a
 * second phase measures the **queue wait**: from the handler's answer until the run's message is
 * received from the work queue (what a worker's long poll would see first).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { makeApiDeps, runService, setApiDeps } from '../../shared/http/deps.js';
import { SqsWorkQueue } from '../../shared/queue/sqs-work-queue.js';
import { makeDocumentClient, makeDynamoClient } from '../../shared/store/clients.js';
import { makeSqsClient } from '../../shared/queue/sqs-client.js';
import { createTableInput } from '../../shared/store/table.js';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { backupStore } from '../../shared/store/stores.js';
import { startStreamRelay } from '../../infra/local/stream-relay.js';
import { publishStreamBatch } from '../../shared/events/stream-publisher.js';
import type { WorkQueue } from '../../shared/runs/ports.js';
import { resetSettings, type DispatchMode } from '../../shared/settings.js';
import { fmt, median, percentile } from './harness.js';

interface Call { name: string; start: number; end: number; items?: number }

/** Records every SDK call's name, start and end (performance.now) on the given clients. */
function recordCalls(...clients: Array<{ middlewareStack: { add: (...a: any[]) => void } }>) {
  let calls: Call[] = [];
  for (const c of clients) {
    c.middlewareStack.add(
      (next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
        const txItems = (args as { input?: { TransactItems?: unknown[] } }).input?.TransactItems;
        const call: Call = { name: context.commandName ?? 'unknown', start: performance.now(), end: 0, ...(txItems ? { items: txItems.length } : {}) };
        calls.push(call);
        try {
          return await next(args);
        } finally {
          call.end = performance.now();
        }
      },
      { step: 'initialize', name: `record-calls-${randomUUID()}` },
    );
  }
  return { take: () => { const out = calls; calls = []; return out; } };
}

export const STEPS = ['auth', 'membership', 'validate', 'references', 'transaction', 'enqueue', 'response'] as const;
type Steps = Record<(typeof STEPS)[number], number>;

/** Splits one invocation [t0, t1] into the steps above from its SDK calls. */
export function splitSteps(t0: number, t1: number, calls: Call[]): Steps {
  const [membership, ...rest] = [...calls].sort((a, b) => a.start - b.start);
  const tx = rest.find((c) => c.name === 'TransactWriteItemsCommand');
  const refs = rest.filter((c) => tx && c.end <= tx.start && /^(GetItem|Query|BatchGetItem)Command$/.test(c.name));
  const send = rest.find((c) => c.name === 'SendMessageCommand');
  const wall = (cs: Call[]) => (cs.length ? Math.max(...cs.map((c) => c.end)) - Math.min(...cs.map((c) => c.start)) : 0);
  const last = Math.max(...calls.map((c) => c.end));
  const s: Steps = {
    auth: membership.start - t0,
    membership: membership.end - membership.start,
    references: wall(refs),
    transaction: tx ? tx.end - tx.start : 0,
    enqueue: send ? send.end - send.start : 0,
    response: t1 - last,
    validate: 0,
  };
  s.validate = t1 - t0 - (s.auth + s.membership + s.references + s.transaction + s.enqueue + s.response);
  return s;
}

type Handler = (e: APIGatewayProxyEventV2, c: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export interface HttpStartFigures {
  mode: DispatchMode;
  putMs: number;
  figures: Record<string, { medianMs: number; ratio: number; steps: Steps }>;
  queueWait: { medianMs: number; p90Ms: number; ratio: number; n: number };
  /** the start's SDK calls with plain items and no handler: GetItem + TransactWriteItems(txItems) (+ SendMessage) */
  floor: { get: number; tx: number; tx1: number; send: number; txItems: number; ms: number; ratio: number };
}

export async function httpStartBench(svc: { dynamoEndpoint: string; sqsEndpoint: string }, n = 200, mode: DispatchMode = 'direct'): Promise<HttpStartFigures> {
  const previousMode = process.env.DISPATCH_MODE;
  process.env.DISPATCH_MODE = mode;
  resetSettings();
  const dynamo = makeDynamoClient(svc.dynamoEndpoint);
  const doc = makeDocumentClient(dynamo);
  const sqs = makeSqsClient(svc.sqsEndpoint);
  const table = `bench-http-start-${mode}-${Date.now()}`;
  await dynamo.send(new CreateTableCommand(createTableInput(table)));
  const newQueue = async (name: string) => (await sqs.send(new CreateQueueCommand({ QueueName: `bench-http-${name}-${mode}-${Date.now()}` }))).QueueUrl!;
  const queueUrl = await newQueue('starts');
  const deps = makeApiDeps({ doc, table, queue: new SqsWorkQueue(sqs, queueUrl) });
  setApiDeps(deps);
  const { handler } = (await import('../../functions/api/start-run.js')) as unknown as { handler: Handler };

  // The deployed stream consumer, in both modes; in outbox mode it is also the relay to the work
  // queue (`relayTo`: the queue of the current phase), counting what it sent.
  // Its own SQS client: the relay's sends are not the start's SDK calls (another Lambda in AWS).
  const relaySqs = makeSqsClient(svc.sqsEndpoint);
  let relayTo: WorkQueue = new SqsWorkQueue(relaySqs, queueUrl);
  let relayed = 0;
  const outbox = mode === 'outbox'
    ? { queue: { send: async (m: Parameters<WorkQueue['send']>[0]) => { await relayTo.send(m); relayed++; } }, failUndispatched: (t: string, r: string) => runService(deps).failUndispatched(t, r) }
    : undefined;
  const relay = await startStreamRelay({
    dynamoEndpoint: svc.dynamoEndpoint,
    tableName: table,
    handler: (e) => publishStreamBatch(e, { publisher: { publish: async () => ({ failedIndexes: [] }) }, outbox }),
    context: () => lambdaContext('stream-publisher', 30),
    // Lambda's DynamoDB event source polls each shard four times a second: 250 ms between idle polls.
    pollMs: 250,
  });

  // One tenant per start (no tenant reaches its active-run quota), each with the caller's membership and a backup set.
  const user = 'bench-user';
  const sets: string[] = [];
  for (let i = 0; i < n + 1; i++) {
    const tenantId = `bench-http-${i}`;
    await deps.directory.putMembership(user, { tenantId, tenantName: `Bench ${i}`, role: 'owner' });
    const id = ulid();
    await backupStore(deps.stores).createSet({ id, tenantId, name: 'bench', status: 'complete', itemCount: 0, createdAt: new Date().toISOString(), createdBy: { userId: user, name: 'Bench' }, scheduleId: null, runId: null, completedAt: null });
    sets.push(id);
  }
  const gid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  const event = (i: number, body: unknown): APIGatewayProxyEventV2 => {
    const tenantId = `bench-http-${i}`;
    const now = Date.now();
    return {
      version: '2.0', routeKey: 'POST /tenants/{tenantId}/runs', rawPath: `/tenants/${tenantId}/runs`, rawQueryString: '',
      headers: { 'content-type': 'application/json' }, pathParameters: { tenantId }, body: JSON.stringify(body), isBase64Encoded: false,
      requestContext: {
        accountId: '0', apiId: 'bench', domainName: 'bench', domainPrefix: 'bench', requestId: randomUUID(), routeKey: 'POST /tenants/{tenantId}/runs', stage: '$default', time: '', timeEpoch: now,
        http: { method: 'POST', path: `/tenants/${tenantId}/runs`, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
        authorizer: { jwt: { claims: { sub: user, name: 'Bench' }, scopes: [] } },
      } as never,
    };
  };
  const calls = recordCalls(dynamo, sqs);
  let lastCalls: string[] = [];
  let txItems = 0; // the start transaction's item count (the same for every type measured here)
  const callsOf: Record<string, string[]> = {};
  const invoke = async (e: APIGatewayProxyEventV2) => {
    calls.take();
    const t0 = performance.now();
    const res = await handler(e, lambdaContext('StartRun', 29)); // a fresh context: its clock starts per invocation
    const t1 = performance.now();
    if (res.statusCode !== 202) throw new Error(`start answered ${res.statusCode}: ${res.body}`);
    const made = calls.take();
    lastCalls = made.map((c) => c.name.replace(/Command$/, '') + (c.items ? `(${c.items} items)` : ''));
    txItems = Math.max(txItems, ...made.map((c) => c.items ?? 0));
    return splitSteps(t0, t1, made);
  };

  await invoke(event(n, { type: 'policy.sync', input: {} })); // warm: connections, the cursor key, the lazy modules

  // The baselines, taken after every start: one plain PutItem, and the floor — a start's SDK calls
  // with plain items and nothing else: one GetItem, one TransactWriteItems of as many small
  // conditional puts as the start's transaction carries, and (direct dispatch) one SendMessage. What
  // no handler work can go below on this DynamoDB Local and fauxqs. Also a 1-item transaction.
  const put: number[] = [];
  const floorGet: number[] = [];
  const floorTx: number[] = [];
  const floorTx1: number[] = [];
  const floorSend: number[] = [];
  let b = 0;
  const timed = async (into: number[], f: () => Promise<unknown>) => { const t = performance.now(); await f(); into.push(performance.now() - t); };
  async function baseline() {
    const i = b++;
    await timed(put, () => doc.send(new PutCommand({ TableName: table, Item: { pk: 'TENANT#bench-put', sk: `X#${i}`, v: i } })));
    await timed(floorGet, () => doc.send(new GetCommand({ TableName: table, Key: { pk: 'TENANT#bench-put', sk: `X#${i}` } })));
    await timed(floorTx, () => doc.send(new TransactWriteCommand({
      TransactItems: Array.from({ length: txItems }, (_, j) => ({ Put: { TableName: table, Item: { pk: `TENANT#bench-floor-${i}`, sk: `X#${j}`, v: j }, ConditionExpression: 'attribute_not_exists(pk)' } })),
    })));
    await timed(floorTx1, () => doc.send(new TransactWriteCommand({
      TransactItems: [{ Put: { TableName: table, Item: { pk: `TENANT#bench-floor1-${i}`, sk: 'X', v: i }, ConditionExpression: 'attribute_not_exists(pk)' } }],
    })));
    if (mode === 'direct') await timed(floorSend, () => sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ runId: `floor-${i}` }) })));
    calls.take(); // the baselines are not a start's calls
  }
  const results: Record<string, { total: number[]; steps: Steps[] }> = {};
  const types = [
    ['policy.sync (no reference)', (i: number) => ({ type: 'policy.sync', input: { policyIds: [gid(i)] } })],
    ['backup_set.add_policies (1 reference)', (i: number) => ({ type: 'backup_set.add_policies', input: { backupSetId: sets[i], policyIds: [gid(i)] } })],
  ] as const;
  // Warm-up, untimed: DynamoDB Local is a JVM, and its first few hundred requests of a kind run
  // slower (JIT); without this the type measured first pays for it. Other identities in the same
  // tenants (policy ids offset by n), so the timed starts below are not deduplicated.
  const warm = Math.min(n, Number(process.env.BENCH_WARMUP ?? 30));
  for (let i = 0; i < warm; i++) {
    for (const [, body] of types) {
      const b0 = body(i) as { type: string; input: { policyIds: string[] } };
      await invoke(event(i, { ...b0, input: { ...b0.input, policyIds: [gid(n + 1 + i)] } }));
    }
    await baseline();
  }
  put.length = floorGet.length = floorTx.length = floorTx1.length = floorSend.length = 0;
  // Timed: the types alternate start by start, each followed by its baselines, so every figure meets
  // the same machine load (the ratios are what this bench is for).
  for (const [name] of types) results[name] = { total: [], steps: [] };
  for (let i = 0; i < n; i++) {
    for (const [name, body] of types) {
      const r = results[name];
      const t = performance.now();
      r.steps.push(await invoke(event(i, body(i))));
      r.total.push(performance.now() - t);
      callsOf[name] = lastCalls;
      await baseline();
    }
  }
  calls.take();
  // Queue wait: a fresh queue, the relay caught up first (outbox: every start of the timed phase relayed).
  const expected = 2 * (n + warm) + 1;
  for (const until = Date.now() + 120_000; mode === 'outbox' && relayed < expected && Date.now() < until;) await new Promise((r) => setTimeout(r, 100));
  const waitQueue = await newQueue('wait');
  relayTo = new SqsWorkQueue(relaySqs, waitQueue);
  setApiDeps(makeApiDeps({ doc, table, queue: new SqsWorkQueue(sqs, waitQueue) }));
  const waits: number[] = [];
  const waitN = Math.min(n, 30);
  for (let i = 0; i < waitN; i++) {
    const res = await handler(event(i, { type: 'inventory.sync', input: { categories: ['deviceConfigurations'] } }), lambdaContext('StartRun', 29));
    const answered = performance.now();
    if (res.statusCode !== 202) throw new Error(`start answered ${res.statusCode}: ${res.body}`);
    const runId = JSON.parse(res.body as string).run.id as string;
    for (let found = false; !found;) {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: waitQueue, MaxNumberOfMessages: 10, WaitTimeSeconds: 5 }));
      const got = out.Messages ?? [];
      if (got.some((m) => JSON.parse(m.Body!).runId === runId)) {
        waits.push(performance.now() - answered);
        found = true;
      }
      if (got.length) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: waitQueue, Entries: got.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle! })) }));
    }
  }
  await relay.stop();
  relaySqs.destroy();
  setApiDeps(undefined);
  if (previousMode === undefined) delete process.env.DISPATCH_MODE;
  else process.env.DISPATCH_MODE = previousMode;
  resetSettings();

  const putMs = median(put);
  const label = mode;
  console.log(`\n## HTTP start (issue 18 items 2 and 3; the start-run Lambda handler, n=${n} per type, sequential, dispatch=${label})`);
  console.log(`median plain PutItem ${fmt(putMs)} ms`);
  const figures: Record<string, { medianMs: number; ratio: number; steps: Steps }> = {};
  for (const [name, r] of Object.entries(results)) {
    const steps = Object.fromEntries(STEPS.map((k) => [k, median(r.steps.map((s) => s[k]))])) as Steps;
    const m = median(r.total);
    figures[name] = { medianMs: m, ratio: m / putMs, steps };
    console.log(`${name.padEnd(40)} median ${fmt(m)} ms = ${fmt(m / putMs)} × PutItem   steps (medians, ms): ${STEPS.map((k) => `${k} ${fmt(steps[k])}`).join(', ')}`);
    console.log(`${''.padEnd(40)} SDK calls of one start, in order: ${callsOf[name].join(' → ')}`);
  }
  const floor = { get: median(floorGet), tx: median(floorTx), tx1: median(floorTx1), send: floorSend.length ? median(floorSend) : 0 };
  const floorMs = floor.get + floor.tx + floor.send;
  console.log(`${'floor (plain items, no handler)'.padEnd(40)} GetItem ${fmt(floor.get)} + TransactWriteItems(${txItems} items) ${fmt(floor.tx)}${floor.send ? ` + SendMessage ${fmt(floor.send)}` : ''} = ${fmt(floorMs)} ms = ${fmt(floorMs / putMs)} × PutItem (a 1-item TransactWriteItems: ${fmt(floor.tx1)} ms = ${fmt(floor.tx1 / putMs)} ×)`);
  const queueWait = { medianMs: median(waits), p90Ms: percentile(waits, 90), ratio: median(waits) / putMs, n: waits.length };
  console.log(`${'queue wait (answer → message received)'.padEnd(40)} median ${fmt(queueWait.medianMs)} ms = ${fmt(queueWait.ratio)} × PutItem, p90 ${fmt(queueWait.p90Ms)} ms (n=${waits.length}, inventory.sync)`);
  return { mode, putMs, figures, queueWait, floor: { ...floor, txItems, ms: floorMs, ratio: floorMs / putMs } };
}
