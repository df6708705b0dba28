/**
 * Emits the product's metrics with Powertools Metrics (CloudWatch EMF). Each call flushes at once:
 * handlers are short and a lost buffer would lose the figure.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_NAMES, type MetricName } from './metric-names.js';
import { settings } from '../settings.js';

export const MetricNames = METRIC_NAMES;


function emit(name: MetricName, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number, dimensions: Record<string, string>) {
  const { metricsEnabled, metricsNamespace, serviceName } = settings().observability;
  if (!metricsEnabled) return;
  const m = new Metrics({ namespace: metricsNamespace, serviceName });
  for (const [k, v] of Object.entries(dimensions)) m.addDimension(k, v);
  m.addMetric(name, unit, value);
  m.publishStoredMetrics();
}

export const metrics = {
  count: (name: MetricName, dimensions: Record<string, string> = {}, value = 1) => emit(name, MetricUnit.Count, value, dimensions),
  millis: (name: MetricName, value: number, dimensions: Record<string, string> = {}) => emit(name, MetricUnit.Milliseconds, value, dimensions),
};

/** What a module that emits metrics takes, so a test can hand it a recorder instead of CloudWatch. */
export type MetricSink = Pick<typeof metrics, 'count' | 'millis'>;
