/**
 * Emits the product's metrics with Powertools Metrics (CloudWatch EMF). Each call flushes at once:
 * handlers are short and a lost buffer would lose the figure.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, METRIC_NAMES, SERVICE_NAME, type MetricName } from './metric-names.js';

export const MetricNames = METRIC_NAMES;

const enabled = () => process.env.METRICS_DISABLED !== '1';

function emit(name: MetricName, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number, dimensions: Record<string, string>) {
  if (!enabled()) return;
  const m = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE, serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME });
  for (const [k, v] of Object.entries(dimensions)) m.addDimension(k, v);
  m.addMetric(name, unit, value);
  m.publishStoredMetrics();
}

export const metrics = {
  count: (name: MetricName, dimensions: Record<string, string> = {}, value = 1) => emit(name, MetricUnit.Count, value, dimensions),
  millis: (name: MetricName, value: number, dimensions: Record<string, string> = {}) => emit(name, MetricUnit.Milliseconds, value, dimensions),
};
