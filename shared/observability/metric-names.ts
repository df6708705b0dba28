/**
 * The product's custom CloudWatch metrics, declared once: the functions emit them (Powertools
 * Metrics) and the CDK dashboard and alarms read them, so a renamed metric cannot silently leave a
 * dashboard widget or an alarm watching nothing.
 *
 * Powertools Metrics adds the `service` dimension (POWERTOOLS_SERVICE_NAME) to every metric it
 * emits. CloudWatch matches metrics by their exact dimension set, so every function runs with the
 * one product-wide service name below and the dashboard queries `{service}` (plus `outcome`,
 * `type` for RunsCompleted).
 */

export const METRICS_NAMESPACE = 'OperationRuns';

/** POWERTOOLS_SERVICE_NAME of every function: one name, so metrics aggregate across functions. */
export const SERVICE_NAME = 'operation-runs';

export const METRIC_NAMES = {
  /** a start created a new run (Count) */
  runsStarted: 'RunsStarted',
  /** a start returned an existing active run (Count) */
  runsDeduplicated: 'RunsDeduplicated',
  /** the run was written but could not be enqueued → completed as failed/dispatch_failed (Count) */
  runsDispatchFailed: 'RunsDispatchFailed',
  /** a run reached `completed` (Count, dimensions outcome and type) */
  runsCompleted: 'RunsCompleted',
  /** startedAt → completedAt of a completed run (Milliseconds) */
  runDurationMs: 'RunDurationMs',
  /** createdAt → startedAt when a worker claims a run (Milliseconds) */
  queueWaitMs: 'QueueWaitMs',
  /** runs the reaper completed as dispatch_lost / worker_lost (Count) */
  runsReaped: 'RunsReaped',
  /** a DynamoDB transaction was cancelled with TransactionConflict and retried or given up (Count) */
  transactionConflicts: 'TransactionConflicts',
  /** the orphan reconciler deleted credential secrets no tenant names (Count, once per reconciler run, 0 included) */
  orphanSecretsDeleted: 'OrphanSecretsDeleted',
  /** the orphan reconciler could not check or delete credential secrets; the next run retries (Count, once per run, 0 included) */
  orphanSecretsFailed: 'OrphanSecretsFailed',
} as const;

export type MetricName = (typeof METRIC_NAMES)[keyof typeof METRIC_NAMES];

/** Dimensions beyond `service`: only RunsCompleted carries them. */
export const METRIC_DIMENSIONS = {
  outcome: 'outcome',
  type: 'type',
} as const;

/** Powertools' default dimension name; listed so the dashboard's queries name it from here. */
export const SERVICE_DIMENSION = 'service';
