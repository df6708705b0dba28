/**
 * Worker test wiring: testEnv() (own table and queues) plus the simulated Graph in-process on port 0,
 * tenants pointed at it, worker deps with a no-wait sleep, a movable clock, a counter of run writes,
 * and an SQS poller that acts like Lambda's event source mapping.
 */
import { ChangeMessageVisibilityCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { startGraphSim, type GraphSimOptions } from '../../infra/local/graph-sim.js';
import { DirectoryStore } from '../../shared/store/directory-store.js';
import { makeWorkerDeps, type AllWorkerDeps } from '../../shared/operations/worker-deps.js';
import { msalAppTokens } from '../../shared/graph/msal-tokens.js';
import { processWorkBatch } from '../../shared/operations/work-batch.js';
import type { WorkerDeps } from '../../shared/operations/worker.js';
import type { Run } from '../../shared/runs/model.js';
import type { OperationType } from '../../shared/operations/catalog.js';
import { testEnv } from './services.js';

export async function workerTestEnv(opts: { sim?: GraphSimOptions; settings?: WorkerDeps['settings'] } = {}) {
  let offsetMs = 0;
  const clock = () => new Date(Date.now() + offsetMs);
  const env = await testEnv({ clock });
  const sim = await startGraphSim({ port: 0, latencyMs: 0, ...opts.sim });
  const directory = new DirectoryStore(env.doc, env.table);
  for (const tenantId of Object.keys(opts.sim?.tenants ?? { contoso: 1, fabrikam: 1 })) {
    await directory.putTenant({ id: tenantId, name: tenantId, graph: sim.settingsFor(tenantId) });
  }
  const sleeps: number[] = [];
  const deps: AllWorkerDeps = makeWorkerDeps({
    doc: env.doc, table: env.table, queue: env.queue, clock,
    graphOptions: { appTokens: msalAppTokens, sleep: async (ms) => { sleeps.push(ms); }, now: () => clock().getTime() },
    settings: opts.settings,
  });
  deps.logger.setLogLevel('ERROR');
  // Count run writes (every lifecycle transition the store commits).
  const runWrites = new Map<string, number>();
  const save = deps.store.saveTransition.bind(deps.store);
  deps.store.saveTransition = async (prev, next, companions) => {
    await save(prev, next, companions);
    runWrites.set(next.id, (runWrites.get(next.id) ?? 0) + 1);
  };

  async function start(type: OperationType, input: Record<string, unknown> = {}, tenantId = 'contoso'): Promise<Run> {
    const { run } = await deps.service.startRun({ tenantId, type, input, initiator: { userId: 'alice', name: 'Alice Admin' }, surface: 'api' });
    return run;
  }

  /** One poll of a queue, like Lambda's event source mapping: delete successes, make failures visible again at once. */
  async function pollOnce(queueUrl = env.workQueueUrl, remainingMs: () => number = () => 100_000, handler: (e: SQSEvent) => Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }> = (e) => processWorkBatch(e, { getRemainingTimeInMillis: remainingMs }, deps)) {
    const got = await env.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    const messages = got.Messages ?? [];
    if (messages.length === 0) return { received: 0, failed: 0 };
    const event: SQSEvent = {
      Records: messages.map((m) => ({
        messageId: m.MessageId!, receiptHandle: m.ReceiptHandle!, body: m.Body!, attributes: m.Attributes as never,
        messageAttributes: {}, md5OfBody: m.MD5OfBody!, eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:test', awsRegion: 'us-east-1',
      })),
    };
    const res = await handler(event);
    const failed = new Set(res.batchItemFailures.map((f) => f.itemIdentifier));
    const done = messages.filter((m) => !failed.has(m.MessageId!));
    if (done.length) await env.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    for (const m of messages.filter((x) => failed.has(x.MessageId!))) {
      await env.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 }));
    }
    return { received: messages.length, failed: failed.size };
  }

  /** Polls until the queue is empty (or `max` polls). */
  async function drain(max = 50) {
    for (let i = 0; i < max; i++) if ((await pollOnce()).received === 0) return;
    throw new Error('work queue did not drain');
  }

  return {
    ...env, sim, deps, directory, sleeps, runWrites, start, pollOnce, drain,
    advance: (ms: number) => { offsetMs += ms; },
    stop: () => sim.stop(),
  };
}

export async function receiveAll(sqs: SQSClient, queueUrl: string) {
  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
  return got.Messages ?? [];
}
