import { describe, expect, it } from 'vitest';
import { detailTypeOf, runEventOf } from '../../shared/events/run-events.js';
import { transition } from '../../shared/runs/lifecycle.js';
import { DETAIL_TYPES, EVENT_SOURCE } from '../../shared/wiring.js';
import { emptyCounts } from '../../shared/runs/model.js';
import { aRun } from '../support/run-events.js';

const FAKE_SECRET = 'FAKE-not-a-secret-123';
const DETAIL_FIELDS = ['tenantId', 'runId', 'type', 'status', 'outcome', 'initiator', 'surface', 'summaryCounts', 'failureCount', 'createdAt', 'startedAt', 'completedAt', 'viewUrl'];
const t0 = new Date('2026-11-26T15:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

describe('run events from committed writes', () => {
  const queued = aRun({}, t0);
  const running = transition(queued, { type: 'claim', leaseMs: 60_000 }, at(100));
  const checkpointed = transition(running, { type: 'checkpoint', leaseMs: 60_000, counts: { ...emptyCounts(), total: 10, processed: 5, succeeded: 5 }, cursor: 'page-2' }, at(200));
  const cancelFlagged = transition(checkpointed, { type: 'requestCancel' }, at(250));
  const takenOver = transition({ ...running, leaseExpiresAt: at(150).toISOString() }, { type: 'takeover', leaseMs: 60_000 }, at(300));
  const completed = transition(checkpointed, { type: 'complete' }, at(400));
  const cancelledWhileQueued = transition(queued, { type: 'requestCancel' }, at(50));
  const dispatchFailed = transition(queued, { type: 'fail', code: 'dispatch_failed', message: 'could not enqueue' }, at(50));

  it('a new queued run publishes Queued', () => {
    expect(detailTypeOf(null, queued)).toBe(DETAIL_TYPES.queued);
  });

  it('queued → running publishes Started, → completed publishes Completed', () => {
    expect(detailTypeOf(queued, running)).toBe(DETAIL_TYPES.started);
    expect(detailTypeOf(checkpointed, completed)).toBe(DETAIL_TYPES.completed);
  });

  it('a run that goes queued → completed directly (cancel, dispatch failure) publishes Completed', () => {
    expect(detailTypeOf(queued, cancelledWhileQueued)).toBe(DETAIL_TYPES.completed);
    expect(detailTypeOf(queued, dispatchFailed)).toBe(DETAIL_TYPES.completed);
  });

  it('checkpoints, takeovers (lease renewals) and cancelRequested flag writes publish nothing', () => {
    expect(detailTypeOf(running, checkpointed)).toBeNull();
    expect(detailTypeOf(checkpointed, cancelFlagged)).toBeNull();
    expect(detailTypeOf(running, takenOver)).toBeNull();
    expect(detailTypeOf(completed, null)).toBeNull(); // a TTL delete
  });

  it('the event has the operation-runs source and exactly the §6 detail', () => {
    const event = runEventOf(checkpointed, completed)!;
    expect(event.source).toBe(EVENT_SOURCE);
    expect(Object.keys(event.detail).sort()).toEqual([...DETAIL_FIELDS].sort());
    expect(event.detail).toMatchObject({
      tenantId: 'contoso', runId: queued.id, type: 'inventory.sync', status: 'completed', outcome: 'succeeded',
      initiator: { userId: 'alice', name: 'Alice Admin' }, surface: 'api', failureCount: 0,
      createdAt: queued.createdAt, startedAt: running.startedAt, completedAt: completed.completedAt,
      viewUrl: `/console/tenants/contoso/runs/${queued.id}`,
    });
  });

  it('never carries the input, the failures or a secret', () => {
    const leaky = aRun({ initiator: { userId: 'alice', name: `Alice password=${FAKE_SECRET}` }, input: { categories: ['deviceCompliancePolicies'] } }, t0);
    const claimed = transition(leaky, { type: 'claim', leaseMs: 60_000 }, at(10));
    const done = transition(claimed, {
      type: 'complete',
      counts: { ...emptyCounts(), total: 2, processed: 2, succeeded: 1, failed: 1 },
      newFailures: [{ code: 'graph_forbidden', message: `Graph said 403 for client_secret=${FAKE_SECRET}` }],
    }, at(20));
    const json = JSON.stringify(runEventOf(claimed, done));
    expect(json).not.toContain(FAKE_SECRET);
    expect(json).not.toContain('deviceCompliancePolicies');
    expect(json).not.toContain('graph_forbidden');
    expect(json).not.toMatch(/"input"|"failures"|"checkpoint"|"leaseExpiresAt"|"identityHash"/);
    expect(runEventOf(claimed, done)!.detail).toMatchObject({ failureCount: 1, viewUrl: `/console/tenants/contoso/runs/${leaky.id}` });
  });
});
