/**
 * Run metrics derived from the published run events, so every way a run ends (worker, cancel,
 * dispatch failure, DLQ, reaper) is counted in one place, once per committed transition.
 */
import { DETAIL_TYPES } from '../wiring.js';
import type { BusEvent } from '../events/ports.js';
import { metrics, MetricNames, type MetricSink } from './metrics.js';

const ms = (iso: unknown) => (typeof iso === 'string' ? Date.parse(iso) : NaN);

export function recordRunEventMetrics(events: BusEvent[], sink: MetricSink = metrics): void {
  for (const { detailType, detail } of events) {
    if (detailType === DETAIL_TYPES.started) {
      const wait = ms(detail.startedAt) - ms(detail.createdAt);
      if (Number.isFinite(wait)) sink.millis(MetricNames.queueWaitMs, Math.max(0, wait));
    }
    if (detailType === DETAIL_TYPES.completed) {
      sink.count(MetricNames.runsCompleted, { outcome: String(detail.outcome), type: String(detail.type) });
      const duration = ms(detail.completedAt) - ms(detail.startedAt ?? detail.createdAt);
      if (Number.isFinite(duration)) sink.millis(MetricNames.runDurationMs, Math.max(0, duration));
    }
  }
}
