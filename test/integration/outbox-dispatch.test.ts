/**
 * DISPATCH_MODE=outbox (issue 18 item 3): the start is its transaction alone; the table stream's
 * consumer enqueues the newly inserted queued run. End to end through the local runtime (HTTP start
 * → DynamoDB Local → stream → relay → fauxqs → worker → completed), and the relay's failure path
 * against real stream records (SendMessage throws → the run ends dispatch_failed, its key released).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startLocalRuntime, type LocalRuntime } from '../../infra/local/runtime.js';
import { makeApiDeps, setApiDeps } from '../../shared/http/deps.js';
import { makeDocumentClient, makeDynamoClient } from '../../shared/store/clients.js';
import { startStreamRelay, type StreamRelay } from '../../infra/local/stream-relay.js';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { publishStreamBatch } from '../../shared/events/stream-publisher.js';
import type { OutboxDeps } from '../../shared/events/outbox-relay.js';
import { CATALOG } from '../../shared/operations/catalog.js';
import { SqsWorkQueue } from '../../shared/queue/sqs-work-queue.js';
import { RunService } from '../../shared/runs/service.js';
import type { WorkQueue } from '../../shared/runs/ports.js';
import { dynamoEndpoint, testEnv, uniqueName } from '../support/services.js';
import { RecordingPublisher, waitFor } from '../support/run-events.js';

const noSleep = { sleep: async () => undefined };

describe('outbox mode through the local runtime', () => {
  let runtime: LocalRuntime;
  let token: string;

  beforeAll(async () => {
    runtime = await startLocalRuntime({
      dynamoEndpoint: await dynamoEndpoint(),
      sqsEndpoint: inject('sqsEndpoint'),
      tableName: uniqueName('outbox-e2e'),
      queuePrefix: `${uniqueName('q')}-`,
      port: 0,
      dispatchMode: 'outbox',
    });
    // The request path gets a queue that always refuses: a direct start would answer 503 (§5). In
    // outbox mode the request never sends, so only the stream relay's message can reach the worker.
    setApiDeps(makeApiDeps({ doc: makeDocumentClient(makeDynamoClient(runtime.dynamoEndpoint)), table: runtime.tableName, queue: { send: async () => { throw new Error('the request must not send'); } } }));
    token = (await (await fetch(`${runtime.url}/dev/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'alice' }) })).json()).token;
  });

  afterAll(async () => {
    setApiDeps(undefined);
    await runtime?.stop();
  });

  it('a start answers 202 and the stream relay’s message takes the run to completed', async () => {
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const started = await fetch(`${runtime.url}/tenants/contoso/runs`, { method: 'POST', headers: auth, body: JSON.stringify({ type: 'directory_groups.sync', input: {} }) });
    expect(started.status).toBe(202);
    const { run } = (await started.json()) as { run: { id: string; status: string } };
    expect(run.status).toBe('queued');
    const done = await waitFor(async () => {
      const res = await fetch(`${runtime.url}/tenants/contoso/runs/${run.id}`, { headers: auth });
      const body = (await res.json()) as { status: string; outcome: string; startedAt: string | null; attempt: number };
      return body.status === 'completed' ? body : undefined;
    }, 'the run to complete', 60_000);
    // Claimed by a worker (not failed for want of a message): it started, once.
    expect(done.startedAt).not.toBeNull();
    expect(done.attempt).toBe(1);
    expect(['succeeded', 'partially_succeeded']).toContain(done.outcome);
  });
});

describe('the outbox relay on real stream records', () => {
  let env: Awaited<ReturnType<typeof testEnv>>;
  let relay: StreamRelay;
  let queue: WorkQueue;
  let outbox: OutboxDeps;

  const start = (tenantId: string, service: RunService) =>
    service.startRun({ tenantId, type: 'inventory.sync', input: { categories: ['deviceConfigurations'] }, initiator: { userId: 'alice', name: 'Alice Admin' }, surface: 'api' });

  beforeAll(async () => {
    env = await testEnv();
    queue = env.queue;
    outbox = { queue: { send: (m) => queue.send(m) }, failUndispatched: (t, r) => env.service.failUndispatched(t, r), retry: noSleep };
    relay = await startStreamRelay({
      dynamoEndpoint: env.dynamoEndpoint,
      tableName: env.table,
      handler: (event) => publishStreamBatch(event, { publisher: new RecordingPublisher(), outbox }),
      context: () => lambdaContext('stream-publisher', 30),
      pollMs: 50,
    });
  });

  afterAll(async () => {
    await relay?.stop();
  });

  it('an outbox start sends nothing itself, even when the queue would refuse', async () => {
    const refusing = new RunService({ catalog: CATALOG, store: env.store, queue: { send: async () => { throw new Error('must not be called'); } }, dispatchMode: 'outbox' });
    queue = env.queue;
    const { run, deduplicated } = await start('t-outbox-nosend', refusing);
    expect(deduplicated).toBe(false);
    expect(run.status).toBe('queued');
    // The relay sends it: the message reaches the work queue.
    const body = await waitFor(async () => {
      const out = await env.sqs.send(new ReceiveMessageCommand({ QueueUrl: env.workQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      return out.Messages?.map((m) => JSON.parse(m.Body!)).find((m) => m.runId === run.id);
    }, 'the relayed work message', 20_000);
    expect(body).toEqual({ runId: run.id, tenantId: 't-outbox-nosend', type: 'inventory.sync' });
  });

  it('when SendMessage keeps throwing, the run ends failed/dispatch_failed and its key is free', async () => {
    const sqs = new SQSClient({ region: 'us-east-1', endpoint: env.sqsEndpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const mock = mockClient(sqs);
    mock.on(SendMessageCommand).rejects(new Error('SQS is down'));
    queue = new SqsWorkQueue(sqs, env.workQueueUrl);
    try {
      const service = new RunService({ catalog: CATALOG, store: env.store, queue: env.queue, dispatchMode: 'outbox' });
      const { run } = await start('t-outbox-down', service);
      const failed = await waitFor(async () => {
        const fresh = await env.store.getRun('t-outbox-down', run.id);
        return fresh?.status === 'completed' ? fresh : undefined;
      }, 'the run to fail', 20_000);
      expect(failed).toMatchObject({ outcome: 'failed', failureCount: 1, startedAt: null });
      expect(failed.failures[0].code).toBe('dispatch_failed');
      expect(mock.commandCalls(SendMessageCommand).length).toBeGreaterThanOrEqual(3); // the relay's retries
      expect(await env.store.activeKeyHolder('t-outbox-down', 'inventory.sync', run.identityHash)).toBeNull();
      expect((await start('t-outbox-down', service)).deduplicated).toBe(false);
    } finally {
      mock.restore();
      queue = env.queue;
    }
  });
});
