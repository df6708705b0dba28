import { describe, expect, it } from 'vitest';
import { recordRunEventMetrics } from '../../shared/observability/run-metrics.js';
import { METRIC_NAMES } from '../../shared/observability/metric-names.js';
import { DETAIL_TYPES, EVENT_SOURCE } from '../../shared/wiring.js';

function sink() {
  const calls: Array<[string, string, number, Record<string, string>]> = [];
  return {
    calls,
    count: (name: string, dims: Record<string, string> = {}, value = 1) => { calls.push(['count', name, value, dims]); },
    millis: (name: string, value: number, dims: Record<string, string> = {}) => { calls.push(['millis', name, value, dims]); },
  };
}

const detail = { type: 'inventory.sync', outcome: 'partially_succeeded', createdAt: '2026-11-26T15:00:00.000Z', startedAt: '2026-11-26T15:00:00.120Z', completedAt: '2026-11-26T15:00:03.480Z' };

describe('run metrics from run events', () => {
  it('a Started event records the queue wait; a Completed event the outcome by type and the duration', () => {
    const s = sink();
    recordRunEventMetrics([
      { source: EVENT_SOURCE, detailType: DETAIL_TYPES.queued, detail },
      { source: EVENT_SOURCE, detailType: DETAIL_TYPES.started, detail },
      { source: EVENT_SOURCE, detailType: DETAIL_TYPES.completed, detail },
    ], s as never);
    expect(s.calls).toEqual([
      ['millis', METRIC_NAMES.queueWaitMs, 120, {}],
      ['count', METRIC_NAMES.runsCompleted, 1, { outcome: 'partially_succeeded', type: 'inventory.sync' }],
      ['millis', METRIC_NAMES.runDurationMs, 3360, {}],
    ]);
  });

  it('a run completed without starting (cancelled while queued) counts its duration from creation', () => {
    const s = sink();
    recordRunEventMetrics([{ source: EVENT_SOURCE, detailType: DETAIL_TYPES.completed, detail: { ...detail, outcome: 'cancelled', startedAt: null } }], s as never);
    expect(s.calls).toContainEqual(['millis', METRIC_NAMES.runDurationMs, 3480, {}]);
  });
});
