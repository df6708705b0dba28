/**
 * How ops watch the product (§1.5): the custom run metrics the functions emit (names from
 * shared/observability), AWS metrics of the queues, workers and API, one dashboard of them, and
 * alarms to an SNS topic (docs/DEPLOY.md's runbook says what each one means).
 */
import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC_DIMENSIONS, METRIC_NAMES, METRICS_NAMESPACE, SERVICE_DIMENSION, SERVICE_NAME, type MetricName } from '../../shared/observability/metric-names.js';
import type { OperationFunction } from './operation-function.js';

export interface ObservabilityProps {
  workQueue: IQueue;
  workDlq: IQueue;
  /** dead letters of the schedule queue (nothing consumes it) */
  scheduleDlq: IQueue;
  streamFailures: IQueue;
  /** on-failure destination of the rule targets' asynchronous invocations */
  ruleTargetFailures: IQueue;
  /** the rule targets' EventBridge dead-letter queue */
  ruleTargetDlq: IQueue;
  worker: OperationFunction;
  /** the table stream's consumer: its IteratorAge says how far run events lag behind the table */
  streamPublisher: OperationFunction;
  /** the functions EventBridge rules invoke (the notifier) */
  ruleTargets: OperationFunction[];
  /** the POST /tenants/{tenantId}/runs handler: its p99 is the start-confirmation target (§11) */
  startRun: OperationFunction;
  /** the orphan secret reconciler and its schedule's rate (wiring): its alarms evaluate at that rate */
  secretReconciler: { function: OperationFunction; everyMinutes: number };
  httpApi: HttpApi;
  /** every product function, for the errors overview */
  functions: OperationFunction[];
  /** optional e-mail address subscribed to the alarm topic */
  alarmEmail?: string;
}

/** Start confirmation must stay under 2 s end to end (SPEC §11 SC-002). */
const START_P99_THRESHOLD_MS = 2000;
/** 5xx share of API requests that pages someone; below a few requests the ratio is noise. */
const API_5XX_PERCENT_THRESHOLD = 5;
const API_5XX_MIN_REQUESTS = 10;
const PERIOD = Duration.minutes(5);
/**
 * The publisher normally reads a record within seconds of the write; a record 10 minutes old means
 * the publisher is failing or falling behind, and run notifications are that late. It must be
 * seen long before the stream's 24 h retention (and the event source's 12 h max record age) drops it.
 */
const ITERATOR_AGE_THRESHOLD_MS = 10 * 60 * 1000;
const MINUTE = Duration.minutes(1);
/**
 * The orphan reconciler's alarms, and the documented CloudWatch behaviour they rely on. The
 * reconciler runs once per rate (hourly) and each run writes OrphanSecretsFailed once, 0 included,
 * as an EMF log line (CloudWatch User Guide, "Specification: Embedded metric format": CloudWatch
 * Logs extracts the metric from the log event, with the `_aws.Timestamp` the run wrote as the
 * datapoint's time); Lambda adds Errors for each invocation. So both metrics have one datapoint per
 * rate, and the alarms read them at that period:
 * - Period = the rate. A 5-minute period would see a failing run in one period and nothing in the
 *   next eleven, and with notBreaching go ALARM → OK every hour for as long as the failure lasts.
 * - 1 datapoint out of 2 evaluation periods (User Guide, "Alarm evaluation": Datapoints to Alarm
 *   is how many of the last Evaluation Periods datapoints must breach for ALARM). An EventBridge
 *   schedule fires within its minute, not on the second (EventBridge User Guide, scheduled rules:
 *   the finest resolution is one minute), so a window of exactly one rate may now and then hold no
 *   run; the second period keeps the last run's failure in the evaluation range until the next run
 *   has reported. It pages within minutes of a failing run, stays in ALARM while every hour fails,
 *   and returns to OK after at most two clean periods.
 * - Missing data is notBreaching, like every alarm here (User Guide, "Configuring how CloudWatch
 *   alarms treat missing data": a missing datapoint is treated as good, the documented choice for a
 *   metric that has datapoints only when something happens). A run that reported nothing failed on
 *   no secret; a run that threw is its Errors (Lambda Developer Guide, function metrics: Errors
 *   counts invocations ending in a function error, the runtime's timeouts included; each retry of
 *   the asynchronous invocation is an invocation of its own).
 */
const RECONCILER_EVALUATION = { evaluationPeriods: 2, datapointsToAlarm: 1 } as const;

export class Observability extends Construct {
  readonly alarmTopic: Topic;
  readonly dashboard: Dashboard;
  readonly alarms: Record<
    | 'workDlqArrival' | 'scheduleDlqNotEmpty' | 'streamFailuresNotEmpty' | 'ruleTargetFailures' | 'ruleTargetDlq' | 'streamIteratorAge' | 'workerErrors' | 'runsReaped'
    | 'secretReconcilerFailures' | 'secretReconcilerErrors' | 'api5xxRate' | 'startLatencyP99',
    Alarm
  >;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);

    // CloudWatch can publish to an encrypted topic only with a customer managed key that lets it.
    const topicKey = new Key(this, 'AlarmTopicKey', { enableKeyRotation: true, description: 'encrypts the Operation Runs alarm topic' });
    topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'], // in a key policy, `*` means this key
      }),
    );
    this.alarmTopic = new Topic(this, 'AlarmTopic', { masterKey: topicKey, enforceSSL: true, displayName: 'Operation Runs alarms' });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));

    const run = (name: MetricName, statistic = 'Sum') => runMetric(name, statistic);
    const reconcilerPeriod = Duration.minutes(props.secretReconciler.everyMinutes);
    const reconciler = (name: MetricName) => runMetric(name, 'Sum', reconcilerPeriod);
    const reconcilerErrors = props.secretReconciler.function.fn.metricErrors({ period: reconcilerPeriod, statistic: 'Sum', label: 'secret reconciler errors' });
    const apiRequests = props.httpApi.metricCount({ period: PERIOD, statistic: 'Sum' });
    const api5xx = props.httpApi.metricServerError({ period: PERIOD, statistic: 'Sum' });
    const api5xxRate = new MathExpression({
      expression: `IF(requests >= ${API_5XX_MIN_REQUESTS}, 100 * errors / requests, 0)`,
      usingMetrics: { requests: apiRequests, errors: api5xx },
      period: PERIOD,
      label: 'API 5xx %',
    });
    const startP99 = props.startRun.fn.metricDuration({ period: PERIOD, statistic: 'p99', label: 'start-run p99' });

    const alarm = (id: string, metric: IMetric, threshold: number, description: string, evaluation: { evaluationPeriods: number; datapointsToAlarm?: number } = { evaluationPeriods: 1 }) => {
      const a = new Alarm(this, id, {
        metric,
        threshold,
        ...evaluation,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No data means no traffic, and no traffic is not an incident.
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `${description} Runbook: docs/DEPLOY.md#${id.toLowerCase()}`,
      });
      a.addAlarmAction(new SnsAction(this.alarmTopic));
      a.addOkAction(new SnsAction(this.alarmTopic));
      return a;
    };

    // The work DLQ is drained at once by the DLQ handler, so its depth is back to 0 before a
    // 1-minute datapoint sees it: a depth alarm never fires. NumberOfMessagesSent does not help
    // either (SQS counts only messages sent to a queue, not those its redrive policy moves there).
    // What a redriven message always causes is a receive: the DLQ handler's event source receives
    // it within seconds. The visible depth is added so the alarm also fires when nothing receives
    // (the DLQ handler's event source disabled or failing to poll).
    const workDlqArrivals = new MathExpression({
      expression: 'FILL(received, 0) + FILL(visible, 0)',
      usingMetrics: {
        received: props.workDlq.metricNumberOfMessagesReceived({ period: MINUTE, statistic: 'Sum' }),
        visible: props.workDlq.metricApproximateNumberOfMessagesVisible({ period: MINUTE, statistic: 'Maximum' }),
      },
      period: MINUTE,
      label: 'work DLQ received + visible',
    });
    // Nothing consumes the rule targets' failure queues, but a depth alarm would fire once and stay
    // in ALARM through every later arrival; NumberOfMessagesSent fires for each minute with a new
    // record (Lambda and EventBridge both put records there with SendMessage).
    const sentTo = (queue: IQueue, label: string) => queue.metricNumberOfMessagesSent({ period: MINUTE, statistic: 'Sum', label });
    const iteratorAge = props.streamPublisher.fn.metric('IteratorAge', { period: PERIOD, statistic: 'Maximum', label: 'stream publisher IteratorAge' });

    this.alarms = {
      workDlqArrival: alarm(
        'WorkDlqArrival',
        workDlqArrivals,
        1,
        'Work messages exhausted their retries and reached the DLQ (the DLQ handler fails their runs).',
      ),
      // Nothing consumes the schedule DLQ, so its depth stays up until an operator empties it.
      scheduleDlqNotEmpty: alarm(
        'ScheduleDlqNotEmpty',
        props.scheduleDlq.metricApproximateNumberOfMessagesVisible({ period: MINUTE, statistic: 'Maximum' }),
        1,
        'Due-schedule messages failed 3 times before their claim and reached the schedule DLQ (those schedules stay due; the next tick sends them again).',
      ),
      streamFailuresNotEmpty: alarm(
        'StreamFailuresNotEmpty',
        props.streamFailures.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
        1,
        'Table stream records could not be published as run events; notifications for them are missing.',
      ),
      ruleTargetFailures: alarm(
        'RuleTargetFailures',
        sentTo(props.ruleTargetFailures, 'rule target failures'),
        1,
        'A rule target (the notifier) failed an event after all of Lambda\'s retries; the event is kept in the on-failure queue.',
      ),
      ruleTargetDlq: alarm(
        'RuleTargetDlq',
        sentTo(props.ruleTargetDlq, 'rule target DLQ'),
        1,
        'EventBridge could not deliver an event to a rule target (the notifier) and put it in the target DLQ.',
      ),
      streamIteratorAge: alarm(
        'StreamIteratorAge',
        iteratorAge,
        ITERATOR_AGE_THRESHOLD_MS,
        `The stream publisher is over ${ITERATOR_AGE_THRESHOLD_MS / 60_000} min behind the table; run events and notifications are late.`,
      ),
      workerErrors: alarm('WorkerErrors', props.worker.fn.metricErrors({ period: PERIOD, statistic: 'Sum' }), 1, 'The run worker Lambda threw (not item-level failures, which runs record).'),
      runsReaped: alarm('RunsReaped', run(METRIC_NAMES.runsReaped), 1, 'The reaper failed runs that were never claimed or whose worker vanished.'),
      secretReconcilerFailures: alarm(
        'SecretReconcilerFailures',
        reconciler(METRIC_NAMES.orphanSecretsFailed),
        1,
        'The orphan secret reconciler could not check or delete a tenant\'s Graph credential secret; an orphan may stay live (and billed) until a run succeeds.',
        RECONCILER_EVALUATION,
      ),
      // No other alarm watches this function: WorkerErrors is the run worker's only.
      secretReconcilerErrors: alarm(
        'SecretReconcilerErrors',
        reconcilerErrors,
        1,
        'The orphan secret reconciler Lambda threw or timed out; orphaned credential secrets are not being deleted.',
        RECONCILER_EVALUATION,
      ),
      api5xxRate: alarm('Api5xxRate', api5xxRate, API_5XX_PERCENT_THRESHOLD, `More than ${API_5XX_PERCENT_THRESHOLD}% of API requests answered 5xx.`),
      // Two of the last periods, so one cold-start-heavy window does not page.
      startLatencyP99: new Alarm(this, 'StartLatencyP99', {
        metric: startP99,
        threshold: START_P99_THRESHOLD_MS,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `Start-run p99 duration above ${START_P99_THRESHOLD_MS} ms (SC-002). Runbook: docs/DEPLOY.md#startlatencyp99`,
      }),
    };
    this.alarms.startLatencyP99.addAlarmAction(new SnsAction(this.alarmTopic));
    this.alarms.startLatencyP99.addOkAction(new SnsAction(this.alarmTopic));

    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(6) });
    const graph = (title: string, left: IMetric[], right: IMetric[] = [], width = 8) =>
      new GraphWidget({ title, left, right, width, height: 6 });
    this.dashboard.addWidgets(
      new TextWidget({ markdown: '# Operation Runs\nRuns, queues, workers and API. Alarms: see the runbook in docs/DEPLOY.md.', width: 24, height: 2 }),
    );
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: Object.values(this.alarms), width: 24, height: 3 }));
    this.dashboard.addWidgets(
      graph('Runs started', [run(METRIC_NAMES.runsStarted), run(METRIC_NAMES.runsDeduplicated), run(METRIC_NAMES.runsDispatchFailed)]),
      graph('Runs completed (outcome × type)', [runsCompletedByOutcome()]),
      graph('Runs reaped; DynamoDB transaction conflicts (retried)', [run(METRIC_NAMES.runsReaped), run(METRIC_NAMES.transactionConflicts)]),
    );
    this.dashboard.addWidgets(
      graph('Run duration (ms)', [run(METRIC_NAMES.runDurationMs, 'p50'), run(METRIC_NAMES.runDurationMs, 'p99')]),
      graph('Queue wait (ms)', [run(METRIC_NAMES.queueWaitMs, 'p50'), run(METRIC_NAMES.queueWaitMs, 'p99')]),
      graph(
        'Work queue depth',
        [props.workQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }), props.workQueue.metricApproximateNumberOfMessagesNotVisible({ period: Duration.minutes(1), statistic: 'Maximum' })],
        [props.workQueue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' })],
      ),
    );
    this.dashboard.addWidgets(
      graph('DLQ and failure-queue depth', [
        props.workDlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum', label: 'work DLQ' }),
        props.workDlq.metricNumberOfMessagesReceived({ period: Duration.minutes(1), statistic: 'Sum', label: 'work DLQ received' }),
        props.scheduleDlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum', label: 'schedule DLQ' }),
        props.streamFailures.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum', label: 'stream failures' }),
        props.ruleTargetFailures.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum', label: 'rule target failures' }),
        props.ruleTargetDlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum', label: 'rule target DLQ' }),
      ]),
      graph('Worker', [props.worker.fn.metricErrors({ period: PERIOD }), props.worker.fn.metricThrottles({ period: PERIOD })], [props.worker.fn.metricDuration({ period: PERIOD, statistic: 'p99' })]),
      graph('API latency and 5xx', [props.httpApi.metricLatency({ period: PERIOD, statistic: 'p50' }), props.httpApi.metricLatency({ period: PERIOD, statistic: 'p99' }), startP99], [api5xx, props.httpApi.metricClientError({ period: PERIOD, statistic: 'Sum' })]),
    );
    this.dashboard.addWidgets(
      graph('Run events: stream lag (ms)', [iteratorAge], [], 12),
      graph(
        'Run events: rule targets',
        props.ruleTargets.flatMap((t) => [
          t.fn.metricErrors({ period: PERIOD, label: `${t.node.id} errors` }),
          // records Lambda failed to write to the on-failure destination: those events are lost
          t.fn.metric('DestinationDeliveryFailures', { period: PERIOD, statistic: 'Sum', label: `${t.node.id} destination delivery failures` }),
        ]),
        [sentTo(props.ruleTargetFailures, 'rule target failures'), sentTo(props.ruleTargetDlq, 'rule target DLQ')],
        12,
      ),
    );
    this.dashboard.addWidgets(
      graph(
        `Orphan secret reconciler (per ${props.secretReconciler.everyMinutes} min)`,
        [reconciler(METRIC_NAMES.orphanSecretsDeleted), reconciler(METRIC_NAMES.orphanSecretsFailed)],
        [reconcilerErrors],
        24,
      ),
    );
    this.dashboard.addWidgets(
      graph('Errors of every function', props.functions.map((f) => f.fn.metricErrors({ period: PERIOD, label: f.node.id })), [], 24),
    );
  }
}

/** A product metric as Powertools emits it: the namespace and the product-wide `service` dimension. */
function runMetric(metricName: MetricName, statistic: string, period: Duration = PERIOD): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { [SERVICE_DIMENSION]: SERVICE_NAME },
    statistic,
    period,
    label: statistic === 'Sum' ? metricName : `${metricName} ${statistic}`,
  });
}

/** RunsCompleted carries outcome and type; a SEARCH sums it per outcome without listing every type. */
function runsCompletedByOutcome(): MathExpression {
  const dims = [METRIC_DIMENSIONS.outcome, SERVICE_DIMENSION, METRIC_DIMENSIONS.type].join(',');
  return new MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},${dims}} MetricName="${METRIC_NAMES.runsCompleted}"', 'Sum', ${PERIOD.toSeconds()})`,
    label: 'RunsCompleted',
    period: PERIOD,
  });
}
