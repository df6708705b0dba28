import { describe, expect, it } from 'vitest';
import { RUN_EVENTS, TransitionError, outcomeFromCounts, transition, appendFailures, type RunEvent } from '../../shared/runs/lifecycle.js';
import { STATUSES, emptyCounts, type Run, type RunStatus } from '../../shared/runs/model.js';

const t0 = new Date('2026-11-26T15:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

function run(status: RunStatus, over: Partial<Run> = {}): Run {
  return {
    id: '01JH7Z9W3K8Q4V2N6B5C1D0EFG', tenantId: 'contoso', type: 'inventory.sync', label: 'Inventory sync',
    status, outcome: status === 'completed' ? 'succeeded' : 'pending', input: {}, identityHash: 'h',
    initiator: { userId: 'alice', name: 'Alice Admin' }, surface: 'api', summaryCounts: emptyCounts(),
    failures: [], failureCount: 0, context: {}, attempt: status === 'queued' ? 0 : 1, cancelRequested: false,
    createdAt: t0.toISOString(), startedAt: status === 'queued' ? null : at(100).toISOString(),
    completedAt: status === 'completed' ? at(500).toISOString() : null, durationMs: null,
    queueWaitMs: status === 'queued' ? null : 100, expiresAt: at(90 * 86400000).toISOString(),
    leaseExpiresAt: status === 'running' ? at(1000).toISOString() : null, checkpoint: null, version: 3, ...over,
  };
}

const events: Record<RunEvent['type'], RunEvent> = {
  claim: { type: 'claim', leaseMs: 60000 },
  takeover: { type: 'takeover', leaseMs: 60000 },
  checkpoint: { type: 'checkpoint', leaseMs: 60000, counts: { ...emptyCounts(), total: 10, processed: 5, succeeded: 5 }, cursor: { page: 2 } },
  complete: { type: 'complete', outcome: 'cancelled' },
  requestCancel: { type: 'requestCancel' },
  fail: { type: 'fail', code: 'worker_lost', message: 'lease expired' },
};

/**
 * The expected answers, written out by hand (SPEC §4) — never read from the lifecycle's own table, so
 * that widening or narrowing a rule there fails here.
 */
const EXPECTED: Record<RunStatus, Record<RunEvent['type'], 'allowed' | 'refused'>> = {
  queued: { claim: 'allowed', takeover: 'refused', checkpoint: 'refused', complete: 'allowed', requestCancel: 'allowed', fail: 'allowed' },
  running: { claim: 'refused', takeover: 'allowed', checkpoint: 'allowed', complete: 'allowed', requestCancel: 'allowed', fail: 'allowed' },
  completed: { claim: 'refused', takeover: 'refused', checkpoint: 'refused', complete: 'refused', requestCancel: 'refused', fail: 'refused' },
};

describe('the run lifecycle, every status × every event', () => {
  it('the expected table covers every status and every event', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...STATUSES].sort());
    for (const status of STATUSES) expect(Object.keys(EXPECTED[status]).sort()).toEqual([...RUN_EVENTS].sort());
  });
  for (const status of STATUSES) {
    for (const type of RUN_EVENTS) {
      const allowed = EXPECTED[status][type] === 'allowed';
      it(`${type} on a ${status} run is ${allowed ? 'allowed' : 'refused'}`, () => {
        const r = run(status, type === 'takeover' ? { leaseExpiresAt: at(-1).toISOString() } : {});
        const apply = () => transition(r, events[type], at(2000));
        if (!allowed) {
          expect(apply).toThrow(TransitionError);
          return;
        }
        const next = apply();
        expect(next.version).toBe(r.version + 1);
        // status only moves forward
        expect(STATUSES.indexOf(next.status)).toBeGreaterThanOrEqual(STATUSES.indexOf(r.status));
        if (next.status === 'completed') {
          expect(next.outcome).not.toBe('pending');
          expect(next.completedAt).toBe(at(2000).toISOString());
          expect(next.leaseExpiresAt).toBeNull();
        }
      });
    }
  }
});

describe('transition details', () => {
  it('a claim starts the run, measures queue wait and takes a lease', () => {
    const next = transition(run('queued'), events.claim, at(250));
    expect(next).toMatchObject({ status: 'running', attempt: 1, startedAt: at(250).toISOString(), queueWaitMs: 250, leaseExpiresAt: at(60250).toISOString() });
  });

  it('a takeover of a live lease is refused and of an expired one bumps attempt', () => {
    expect(() => transition(run('running'), events.takeover, at(500))).toThrow(/lease has not expired/);
    const next = transition(run('running', { leaseExpiresAt: at(400).toISOString() }), events.takeover, at(500));
    expect(next.attempt).toBe(2);
    expect(next.status).toBe('running');
  });

  it('a completed run never changes again', () => {
    for (const type of RUN_EVENTS) expect(() => transition(run('completed'), events[type], at(1))).toThrow(/completed run never changes/);
  });

  it('cancelling a queued run completes it as cancelled; a running one only gets the flag', () => {
    expect(transition(run('queued'), events.requestCancel, at(10))).toMatchObject({ status: 'completed', outcome: 'cancelled', cancelRequested: true });
    expect(transition(run('running'), events.requestCancel, at(10))).toMatchObject({ status: 'running', outcome: 'pending', cancelRequested: true });
  });

  it('only a cancel completes a queued run without a worker', () => {
    expect(() => transition(run('queued'), { type: 'complete', outcome: 'succeeded' }, at(10))).toThrow(TransitionError);
  });

  it('a running run with cancelRequested completes as cancelled', () => {
    expect(transition(run('running', { cancelRequested: true }), { type: 'complete' }, at(10)).outcome).toBe('cancelled');
  });

  it('fail records its code and ends failed with duration', () => {
    const next = transition(run('running'), { type: 'fail', code: 'worker_exhausted_retries', message: 'x' }, at(1100));
    expect(next).toMatchObject({ status: 'completed', outcome: 'failed', durationMs: 1000, failureCount: 1 });
    expect(next.failures[0].code).toBe('worker_exhausted_retries');
  });

  it('failures are capped at 50 while failureCount counts all', () => {
    const many = Array.from({ length: 70 }, (_, i) => ({ code: 'graph_forbidden', message: `item ${i}` }));
    const first = appendFailures({ failures: [], failureCount: 0 }, many.slice(0, 30));
    const second = appendFailures(first, many.slice(30));
    expect(second.failures).toHaveLength(50);
    expect(second.failureCount).toBe(70);
    expect(second.failures[49].message).toBe('item 49');
  });

  it('outcome follows the counts (§3)', () => {
    const c = (succeeded: number, failed: number, skipped = 0) => ({ ...emptyCounts(), succeeded, failed, skipped });
    expect(outcomeFromCounts(c(5, 0))).toBe('succeeded');
    expect(outcomeFromCounts(c(3, 2))).toBe('partially_succeeded');
    expect(outcomeFromCounts(c(0, 2))).toBe('failed');
    expect(outcomeFromCounts(c(0, 0))).toBe('succeeded');
    expect(outcomeFromCounts(c(5, 0), true)).toBe('cancelled');
  });
});
