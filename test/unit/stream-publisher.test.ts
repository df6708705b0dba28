import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput } from '@aws-sdk/client-eventbridge';
import { eventOfRecord, publishStreamBatch } from '../../shared/events/stream-publisher.js';
import { auditPut } from '../../shared/audit/audit.js';
import { EventBridgePublisher } from '../../shared/events/eventbridge-publisher.js';
import { transition } from '../../shared/runs/lifecycle.js';
import { emptyCounts } from '../../shared/runs/model.js';
import { AUDIT_DETAIL_TYPE, DETAIL_TYPES, EVENT_SOURCE } from '../../shared/wiring.js';
import { aRun, streamRecord } from '../support/run-events.js';

const eventBridge = mockClient(EventBridgeClient);
const noSleep = { sleep: async () => undefined };
const publisher = () => new EventBridgePublisher(new EventBridgeClient({ region: 'us-east-1' }), 'operation-runs');
const accepted = (n: number) => ({ FailedEntryCount: 0, Entries: Array.from({ length: n }, (_, i) => ({ EventId: `ev-${i}` })) });
const sentEntries = () => eventBridge.commandCalls(PutEventsCommand).flatMap((c) => (c.args[0].input as PutEventsCommandInput).Entries ?? []);

// A run's life as stream records: queued, claimed, checkpointed, completed.
const queued = aRun();
const running = transition(queued, { type: 'claim', leaseMs: 60_000 }, new Date());
const checkpointed = transition(running, { type: 'checkpoint', leaseMs: 60_000, counts: { ...emptyCounts(), total: 3, processed: 1, succeeded: 1 }, cursor: 'c1' }, new Date());
const completed = transition(checkpointed, { type: 'complete', counts: { ...emptyCounts(), total: 3, processed: 3, succeeded: 3 } }, new Date());
const life = [
  streamRecord('100', null, queued),
  streamRecord('200', queued, running),
  streamRecord('300', running, checkpointed),
  streamRecord('400', checkpointed, completed),
];

beforeEach(() => eventBridge.reset());

describe('the stream publisher', () => {
  it('publishes Queued, Started, Completed for a run’s life, and nothing for its checkpoint', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => accepted(input.Entries!.length));
    const result = await publishStreamBatch({ Records: life }, { publisher: publisher(), retry: noSleep });
    expect(result.batchItemFailures).toEqual([]);
    const entries = sentEntries();
    expect(entries.map((e) => e.DetailType)).toEqual([DETAIL_TYPES.queued, DETAIL_TYPES.started, DETAIL_TYPES.completed]);
    expect(entries.every((e) => e.Source === 'operation-runs' && e.EventBusName === 'operation-runs')).toBe(true);
    expect(JSON.parse(entries[2].Detail!)).toMatchObject({ runId: queued.id, status: 'completed', outcome: 'succeeded' });
  });

  it('ignores items that are not runs and deletes', async () => {
    const membership = { pk: 'USER#alice', sk: 'MEMBER#contoso', kind: 'membership', status: 'queued' };
    const result = await publishStreamBatch(
      { Records: [streamRecord('1', null, membership), streamRecord('2', completed, null)] },
      { publisher: publisher(), retry: noSleep },
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('retries when PutEvents throws, and loses nothing', async () => {
    eventBridge.on(PutEventsCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .callsFake((input: PutEventsCommandInput) => accepted(input.Entries!.length));
    const result = await publishStreamBatch({ Records: life }, { publisher: publisher(), retry: noSleep });
    expect(result.batchItemFailures).toEqual([]);
    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(2);
    expect((calls[1].args[0].input as PutEventsCommandInput).Entries!.map((e) => e.DetailType)).toEqual([DETAIL_TYPES.queued, DETAIL_TYPES.started, DETAIL_TYPES.completed]);
  });

  it('resends only the entries PutEvents refused (FailedEntryCount > 0)', async () => {
    eventBridge.on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ EventId: 'a' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }, { EventId: 'c' }] })
      .callsFake((input: PutEventsCommandInput) => accepted(input.Entries!.length));
    const result = await publishStreamBatch({ Records: life }, { publisher: publisher(), retry: noSleep });
    expect(result.batchItemFailures).toEqual([]);
    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(2);
    expect((calls[1].args[0].input as PutEventsCommandInput).Entries!.map((e) => e.DetailType)).toEqual([DETAIL_TYPES.started]);
  });

  it('when the bus keeps refusing, reports the first unpublished record so Lambda retries from it', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => ({
      FailedEntryCount: 1,
      // The Started event (the claim, sequence 200) is always refused; the others are accepted.
      Entries: input.Entries!.map((e) => (e.DetailType === DETAIL_TYPES.started ? { ErrorCode: 'ThrottlingException' } : { EventId: 'ok' })),
    }));
    const result = await publishStreamBatch({ Records: life }, { publisher: publisher(), retry: { ...noSleep, attempts: 3 } });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '200' }]);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(3);
  });

  it('when PutEvents keeps throwing, reports the batch’s first event record', async () => {
    eventBridge.on(PutEventsCommand).rejects(new Error('network down'));
    const result = await publishStreamBatch({ Records: [streamRecord('50', running, checkpointed), ...life.slice(1)] }, { publisher: publisher(), retry: { ...noSleep, attempts: 2 } });
    // 50 is a checkpoint (no event); 200 is the first record whose event was not published.
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '200' }]);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(2);
  });

  it('sends at most 10 entries per PutEvents call', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => accepted(input.Entries!.length));
    const records = Array.from({ length: 23 }, (_, i) => streamRecord(String(1000 + i), null, aRun()));
    const result = await publishStreamBatch({ Records: records }, { publisher: publisher(), retry: noSleep });
    expect(result.batchItemFailures).toEqual([]);
    expect(eventBridge.commandCalls(PutEventsCommand).map((c) => (c.args[0].input as PutEventsCommandInput).Entries!.length)).toEqual([10, 10, 3]);
  });
});

describe('audit entries from the stream (issue 19)', () => {
  it('an audit INSERT publishes one Audit Entry Recorded with the entry; MODIFY and REMOVE publish nothing', () => {
    const item = auditPut({ tenantId: 'contoso', actor: { userId: 'alice', name: 'Alice' }, action: 'run.cancelled', target: { type: 'run', id: 'r1' } }, new Date()).Item;
    const inserted = eventOfRecord(streamRecord('1', null, item));
    expect(inserted).toMatchObject({ source: EVENT_SOURCE, detailType: AUDIT_DETAIL_TYPE, detail: item.entry as Record<string, unknown> });
    expect(eventOfRecord(streamRecord('2', item, { ...item, touched: true }))).toBeNull();
    expect(eventOfRecord(streamRecord('3', item, null))).toBeNull();
  });
});
