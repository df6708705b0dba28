/**
 * The outbox relay's filter and its failure answers (DISPATCH_MODE=outbox): only the INSERT of a
 * queued run item becomes a work message; everything else on the stream is ignored.
 */
import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { workMessageOf } from '../../shared/events/outbox-relay.js';
import { publishStreamBatch } from '../../shared/events/stream-publisher.js';
import { SqsWorkQueue } from '../../shared/queue/sqs-work-queue.js';
import { transition } from '../../shared/runs/lifecycle.js';
import type { WorkMessage } from '../../shared/runs/ports.js';
import { aRun, RecordingPublisher, streamRecord } from '../support/run-events.js';

const noSleep = { sleep: async () => undefined };
const queued = aRun();
const running = transition(queued, { type: 'claim', leaseMs: 60_000 }, new Date());
const cancelled = transition(queued, { type: 'requestCancel' }, new Date());

/** A work queue that records what it sends, and throws for the run ids it is told to refuse. */
function recordingQueue(refuse: (m: WorkMessage) => boolean = () => false) {
  const sent: WorkMessage[] = [];
  return { sent, send: async (m: WorkMessage) => { if (refuse(m)) throw new Error('SQS unavailable'); sent.push(m); } };
}

describe('workMessageOf (the outbox filter)', () => {
  it('answers the work message for the INSERT of a queued run', () => {
    expect(workMessageOf(streamRecord('1', null, queued))).toEqual({ runId: queued.id, tenantId: 'contoso', type: 'inventory.sync' });
  });

  it('ignores MODIFY (claim, cancel) and REMOVE (TTL) of a run', () => {
    expect(workMessageOf(streamRecord('2', queued, running))).toBeNull();
    expect(workMessageOf(streamRecord('3', queued, cancelled))).toBeNull();
    expect(workMessageOf(streamRecord('4', queued, null))).toBeNull();
  });

  it('ignores an INSERT of a run that is not queued, and of every other item kind', () => {
    expect(workMessageOf(streamRecord('5', null, running))).toBeNull();
    const membership = { pk: 'USER#alice', sk: 'MEMBER#contoso', kind: 'membership', status: 'queued' };
    const audit = { pk: 'TENANT#contoso', sk: 'AUDIT#1', kind: 'audit', status: 'queued', id: 'a', tenantId: 'contoso', type: 'x' };
    expect(workMessageOf(streamRecord('6', null, membership))).toBeNull();
    expect(workMessageOf(streamRecord('7', null, audit))).toBeNull();
  });
});

describe('the stream publisher with the outbox relay', () => {
  const life = [streamRecord('100', null, queued), streamRecord('200', queued, running), streamRecord('300', running, null)];

  it('enqueues the queued run once and still publishes every event', async () => {
    const queue = recordingQueue();
    const publisher = new RecordingPublisher();
    const failed: string[] = [];
    const result = await publishStreamBatch({ Records: life }, { publisher, retry: noSleep, outbox: { queue, failUndispatched: async (_t, id) => failed.push(id), retry: noSleep } });
    expect(result.batchItemFailures).toEqual([]);
    expect(queue.sent).toEqual([{ runId: queued.id, tenantId: 'contoso', type: 'inventory.sync' }]);
    expect(publisher.events.map((e) => e.detailType)).toEqual(['OperationRun Queued', 'OperationRun Started']);
    expect(failed).toEqual([]);
  });

  it('without outbox deps (direct mode) enqueues nothing', async () => {
    const sqs = mockClient(SQSClient);
    const result = await publishStreamBatch({ Records: life }, { publisher: new RecordingPublisher(), retry: noSleep });
    expect(result.batchItemFailures).toEqual([]);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    sqs.restore();
  });

  it('retries a throwing SendMessage and sends the message once it is accepted', async () => {
    const sqs = mockClient(SQSClient);
    sqs.on(SendMessageCommand).rejectsOnce(Object.assign(new Error('throttled'), { name: 'ThrottlingException' })).resolves({ MessageId: 'm-1' });
    const failed: string[] = [];
    const queue = new SqsWorkQueue(new SQSClient({ region: 'us-east-1' }), 'https://sqs.local/000000000000/work');
    const result = await publishStreamBatch({ Records: life }, { publisher: new RecordingPublisher(), retry: noSleep, outbox: { queue, failUndispatched: async (_t, id) => failed.push(id), retry: noSleep } });
    expect(result.batchItemFailures).toEqual([]);
    const calls = sqs.commandCalls(SendMessageCommand);
    expect(calls).toHaveLength(2);
    expect(JSON.parse(calls[1].args[0].input.MessageBody!)).toEqual({ runId: queued.id, tenantId: 'contoso', type: 'inventory.sync' });
    expect(calls[1].args[0].input.MessageGroupId).toBe('contoso');
    expect(failed).toEqual([]);
    sqs.restore();
  });

  it('fails the run dispatch_failed when every send fails, and acknowledges the record', async () => {
    const queue = recordingQueue(() => true);
    const failed: string[] = [];
    const result = await publishStreamBatch({ Records: life }, { publisher: new RecordingPublisher(), retry: noSleep, outbox: { queue, failUndispatched: async (_t, id) => failed.push(id), retry: noSleep } });
    expect(result.batchItemFailures).toEqual([]);
    expect(failed).toEqual([queued.id]);
  });

  it('when neither the send nor the failing write succeeds, the stream retries from that record', async () => {
    const other = aRun({ type: 'directory_groups.sync', input: {} });
    const records = [streamRecord('100', null, other), streamRecord('200', null, queued), streamRecord('300', queued, running)];
    const queue = recordingQueue((m) => m.runId === queued.id);
    const result = await publishStreamBatch({ Records: records }, {
      publisher: new RecordingPublisher(), retry: noSleep,
      outbox: { queue, failUndispatched: async () => { throw new Error('DynamoDB unavailable'); }, retry: noSleep },
    });
    expect(queue.sent.map((m) => m.runId)).toEqual([other.id]);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '200' }]);
  });
});
