/**
 * Real stream records from DynamoDB Local, read by the local stream relay and published by the
 * real stream publisher: committed run transitions become exactly their events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishStreamBatch } from '../../shared/events/stream-publisher.js';
import { claimRun } from '../../shared/runs/service.js';
import { emptyCounts } from '../../shared/runs/model.js';
import { DETAIL_TYPES } from '../../shared/wiring.js';
import { startStreamRelay, type StreamRelay } from '../../infra/local/stream-relay.js';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { testEnv } from '../support/services.js';
import { RecordingPublisher, waitFor } from '../support/run-events.js';

const FAKE_SECRET = 'FAKE-not-a-secret-123';
let env: Awaited<ReturnType<typeof testEnv>>;
let relay: StreamRelay;
const published = new RecordingPublisher();
let handlerCalls = 0;

const start = (categories: string[], name = 'Alice Admin') =>
  env.service.startRun({ tenantId: 'contoso', type: 'inventory.sync', input: { categories }, initiator: { userId: 'alice', name }, surface: 'api' });

const detailTypesOf = (runId: string) => published.forRun(runId).map((e) => e.detailType);
const untilCompleted = (runId: string) => waitFor(() => detailTypesOf(runId).includes(DETAIL_TYPES.completed), `Completed of ${runId}`);

beforeAll(async () => {
  env = await testEnv();
  relay = await startStreamRelay({
    dynamoEndpoint: env.dynamoEndpoint,
    tableName: env.table,
    handler: (event) => { handlerCalls++; return publishStreamBatch(event, { publisher: published }); },
    context: () => lambdaContext('stream-publisher', 30),
    pollMs: 50,
  });
});

afterAll(async () => {
  await relay?.stop();
});

describe('run events from the table stream', () => {
  it('queued → running → checkpoint → completed publishes exactly Queued, Started, Completed', async () => {
    const { run } = await start(['deviceConfigurations']);
    await claimRun(env.service, 'contoso', run.id, 60_000);
    await env.service.apply('contoso', run.id, { type: 'checkpoint', leaseMs: 60_000, counts: { ...emptyCounts(), total: 42, processed: 20, succeeded: 20 }, cursor: 'page-2' });
    await env.service.apply('contoso', run.id, { type: 'checkpoint', leaseMs: 60_000, counts: { ...emptyCounts(), total: 42, processed: 30, succeeded: 30 }, cursor: 'page-3' });
    await env.service.apply('contoso', run.id, { type: 'complete', counts: { ...emptyCounts(), total: 42, processed: 42, succeeded: 40, failed: 2 } });
    await untilCompleted(run.id);
    // The stream is ordered: once Completed is out, the checkpoints before it were already seen.
    expect(detailTypesOf(run.id)).toEqual([DETAIL_TYPES.queued, DETAIL_TYPES.started, DETAIL_TYPES.completed]);
    const completed = published.forRun(run.id)[2];
    expect(completed.detail).toMatchObject({ status: 'completed', outcome: 'partially_succeeded', summaryCounts: { total: 42, failed: 2 }, initiator: { userId: 'alice' } });
    expect(completed.time).toBeInstanceOf(Date);
  });

  it('a queued run cancelled at once publishes Queued then Completed (cancelled)', async () => {
    const { run } = await start(['deviceCompliancePolicies']);
    await env.service.requestCancel('contoso', run.id);
    await untilCompleted(run.id);
    expect(detailTypesOf(run.id)).toEqual([DETAIL_TYPES.queued, DETAIL_TYPES.completed]);
    expect(published.forRun(run.id)[1].detail).toMatchObject({ outcome: 'cancelled', startedAt: null });
  });

  it('a cancel request on a running run (a flag write) publishes nothing until the run completes', async () => {
    const { run } = await start(['configurationPolicies']);
    await claimRun(env.service, 'contoso', run.id, 60_000);
    await env.service.requestCancel('contoso', run.id);
    await env.service.apply('contoso', run.id, { type: 'complete' });
    await untilCompleted(run.id);
    expect(detailTypesOf(run.id)).toEqual([DETAIL_TYPES.queued, DETAIL_TYPES.started, DETAIL_TYPES.completed]);
    expect(published.forRun(run.id)[2].detail.outcome).toBe('cancelled');
  });

  it('events carry neither input nor failures nor secrets', async () => {
    const { run } = await start(['managedAppPolicies'], `Alice client_secret=${FAKE_SECRET}`);
    await claimRun(env.service, 'contoso', run.id, 60_000);
    await env.service.apply('contoso', run.id, {
      type: 'complete',
      counts: { ...emptyCounts(), total: 1, processed: 1, failed: 1 },
      newFailures: [{ code: 'graph_forbidden', message: `Graph answered 403; Authorization: Bearer ${FAKE_SECRET}`, itemId: 'item-1' }],
    });
    await untilCompleted(run.id);
    const json = JSON.stringify(published.forRun(run.id));
    expect(json).not.toContain(FAKE_SECRET);
    expect(json).not.toContain('managedAppPolicies');
    expect(json).not.toContain('graph_forbidden');
    expect(json).not.toMatch(/"input"|"failures"/);
    expect(published.forRun(run.id)[2].detail).toMatchObject({ failureCount: 1, outcome: 'failed' });
  });

  it('writes that are not runs reach the publisher but publish nothing', async () => {
    const before = published.events.length;
    const calls = handlerCalls;
    await env.doc.send(new (await import('@aws-sdk/lib-dynamodb')).PutCommand({ TableName: env.table, Item: { pk: 'USER#zed', sk: 'PROFILE', kind: 'user', userId: 'zed', name: 'Zed' } }));
    await waitFor(() => handlerCalls > calls, 'the publisher to see the user write');
    expect(published.events.length).toBe(before);
  });

  it('the relay redelivers from the first record a batch reports as failed, so nothing is lost', async () => {
    const seen: string[] = [];
    let refused = false;
    const flaky = await startStreamRelay({
      dynamoEndpoint: env.dynamoEndpoint,
      tableName: env.table,
      handler: async (event) => {
        seen.push(...event.Records.map((r) => r.dynamodb!.SequenceNumber!));
        if (refused) return { batchItemFailures: [] };
        refused = true;
        return { batchItemFailures: [{ itemIdentifier: event.Records[0].dynamodb!.SequenceNumber! }] };
      },
      context: () => lambdaContext('flaky', 30),
      pollMs: 50,
    });
    try {
      await start(['groupPolicyConfigurations']);
      // The refused batch comes again, from its first record; the relay then goes on.
      await waitFor(() => seen.filter((s) => s === seen[0]).length === 2, 'a redelivery');
      expect(seen.filter((s) => s === seen[0])).toHaveLength(2);
    } finally {
      await flaky.stop();
    }
  });
});
