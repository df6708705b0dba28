import { CATALOG } from '../../shared/operations/catalog.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SQSEvent } from 'aws-lambda';
import { workerTestEnv } from '../support/worker-env.js';
import { processWorkBatch } from '../../shared/operations/work-batch.js';
import { claimRun, RunService } from '../../shared/runs/service.js';
import { queues } from '../../shared/wiring.js';

type Env = Awaited<ReturnType<typeof workerTestEnv>>;
let env: Env;
beforeAll(async () => {
  env = await workerTestEnv();
});
afterAll(async () => {
  await env?.stop();
});

const recordOf = (run: { id: string; tenantId: string; type: string }, receives: number): SQSEvent => ({
  Records: [{
    messageId: `m-${receives}`, receiptHandle: 'r', body: JSON.stringify({ runId: run.id, tenantId: run.tenantId, type: run.type }),
    attributes: { ApproximateReceiveCount: String(receives) } as never, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:work', awsRegion: 'us-east-1',
  }],
});

describe('duplicate deliveries while a live worker holds the run', () => {
  it('are retried before the last receive, and on it handed over to a copy delayed past the lease (not sent to the DLQ, not lost)', async () => {
    const run = await env.start('directory_groups.sync');
    await claimRun(env.deps.service, run.tenantId, run.id, 120_000);
    const ctx = { getRemainingTimeInMillis: () => 100_000 };
    const early = await processWorkBatch(recordOf(run, 1), ctx, env.deps);
    expect(early.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    const sent: Array<{ message: unknown; opts: unknown }> = [];
    const deps = { ...env.deps, queue: { send: async (message: unknown, opts?: unknown) => { sent.push({ message, opts }); } } };
    const last = await processWorkBatch(recordOf(run, queues.work.maxReceiveCount), ctx, deps);
    expect(last.batchItemFailures).toEqual([]);
    // the healthy run is untouched
    const held = (await env.deps.service.getRun(run.tenantId, run.id))!;
    expect(held).toMatchObject({ status: 'running', attempt: 1 });
    // …and the message is not lost: a copy waits until just past the lease (this may have been the
    // holder's own message, delivered again; if that worker dies, the copy takes the run over)
    expect(sent).toHaveLength(1);
    expect(sent[0].message).toMatchObject({ runId: run.id, tenantId: run.tenantId, type: run.type });
    const delay = (sent[0].opts as { delaySeconds: number }).delaySeconds;
    const leaseLeft = (Date.parse(held.leaseExpiresAt!) - Date.now()) / 1000;
    expect(delay).toBeGreaterThan(leaseLeft);
    expect(delay).toBeLessThanOrEqual(Math.min(900, leaseLeft + 3));
    // a copy that cannot be sent still acknowledges (never the DLQ, whose handler would fail the run)
    const failing = { ...env.deps, queue: { send: async () => { throw new Error('SQS unavailable'); } } };
    expect((await processWorkBatch(recordOf(run, queues.work.maxReceiveCount), ctx, failing)).batchItemFailures).toEqual([]);
    expect(await env.deps.service.getRun(run.tenantId, run.id)).toMatchObject({ status: 'running', attempt: 1 });
  });
});

describe('a send SQS reports as failed but had accepted', () => {
  it('does not fail a run a worker already claimed; startRun answers the run', async () => {
    const service = new RunService({
      catalog: CATALOG,
      store: env.store,
      queue: {
        send: async (m) => {
          await claimRun(env.deps.service, m.tenantId, m.runId, 120_000); // the message got through…
          throw new Error('socket hang up'); // …but the caller never heard back
        },
      },
    });
    const { run, deduplicated } = await service.startRun({ tenantId: 'contoso', type: 'policy.sync', input: { policyIds: ['accepted-anyway'] }, initiator: { userId: 'alice', name: 'Alice Admin' }, surface: 'api' });
    expect(deduplicated).toBe(false);
    expect(run).toMatchObject({ status: 'running', attempt: 1 });
    expect(await env.store.activeKeyHolder('contoso', 'policy.sync', run.identityHash)).toBe(run.id);
  });
});
