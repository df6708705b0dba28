/**
 * Run events (§6, §7): the stream publisher turns committed table writes into bus events, and each
 * wiring rule routes matching events to its Lambda (the notifier).
 */
import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { STREAM_EVENT_PREFIXES, TABLE_KEYS, TENANT_PROFILE_SK, tenantPk } from '../../shared/store/keys.js';
import { rules, secretSweeper, streamPublisher } from '../../shared/wiring.js';
import { definitionOf, functionId } from './deployed-functions.js';
import { type FunctionResources, OperationFunction } from './operation-function.js';
import type { DispatchMode } from '../../shared/settings.js';

export interface EventsProps {
  resources: FunctionResources;
  table: ITable;
  bus: IEventBus;
  /** where stream batches the publisher could not deliver are recorded */
  streamFailures: IQueue;
  /** on-failure destination of every rule target's asynchronous invocations */
  ruleTargetFailures: IQueue;
  /** dead-letter queue of every rule target: events EventBridge could not deliver to Lambda */
  ruleTargetDlq: IQueue;
  /** `outbox`: the publisher is also the outbox relay (sends work, fails unsendable runs) */
  dispatchMode: DispatchMode;
}

/**
 * A poison record is retried this often (with bisection narrowing it down to one record) before
 * it goes to the failure queue; transient EventBridge errors clear long before that.
 */
const STREAM_RETRY_ATTEMPTS = 5;
/** Records older than the stream's own 24 h retention are lost anyway; give up a little earlier. */
const STREAM_MAX_RECORD_AGE = Duration.hours(12);

/**
 * A rule target is reached in two hops, and each hop fails differently (AWS documentation):
 *
 * 1. EventBridge → Lambda `Invoke` (asynchronous). EventBridge retries only *delivery* failures —
 *    "the target resource is unavailable", network conditions, a deleted function, missing
 *    permissions — by default "for 24 hours and up to 185 times with an exponential back off and
 *    jitter"; after that "the event is dropped" unless the target has a dead-letter queue. Once
 *    Lambda has accepted the event, EventBridge counts it as delivered: a function error is never
 *    retried by EventBridge.
 * 2. Lambda's asynchronous queue → the function. "If the function returns an error, by default
 *    Lambda attempts to run it two more times" (timeouts count as errors); throttled events are
 *    retried "for up to 6 hours by default"; then the event is discarded unless the function has an
 *    on-failure destination (or a DLQ).
 *
 * So each hop gets its own safety net and both are alarmed (infra/constructs/observability.ts):
 * the target's DLQ for hop 1, the function's on-failure destination for hop 2.
 */
const DELIVERY_RETRY = {
  // The documented default window, stated explicitly: a Lambda outage of several hours is retried
  // through rather than sent to the DLQ (the notifier is idempotent by run + kind, §7).
  retryAttempts: 185,
  maxEventAge: Duration.hours(24),
};
const ASYNC_INVOKE = {
  // Two retries is Lambda's maximum (range 0–2). The notifier is idempotent by run + kind (§7), so
  // retrying is always safe, and its transient failures (DynamoDB throttling, a cold dependency)
  // clear within the minutes between attempts (1 min, then 2 min).
  retryAttempts: 2,
  // Six hours is the maximum age (and the default): a throttled notification is still worth
  // writing hours late; anything older goes to the failure queue instead of vanishing.
  maxEventAge: Duration.hours(6),
};

export class Events extends Construct {
  readonly publisher: OperationFunction;
  readonly secretSweeper: OperationFunction;
  readonly ruleTargets: OperationFunction[] = [];

  constructor(scope: Construct, id: string, props: EventsProps) {
    super(scope, id);

    /** A consumer of the table's stream: bisected retries, then the stream-failures queue; partial batch failures. */
    const streamConsumer = (cid: string, def: ReturnType<typeof definitionOf>, consumer: { purpose: string; batchSize: number; filters: Array<Record<string, unknown>> }) => {
      const f = new OperationFunction(this, cid, {
        definition: def,
        resources: props.resources,
        purpose: consumer.purpose,
        moreWildcardReasons: ['The DynamoDB event source grants dynamodb:ListStreams, which works only on `*`; the stream reads themselves are scoped to this table\'s stream.'],
      });
      f.fn.addEventSource(
        new DynamoEventSource(props.table, {
          startingPosition: StartingPosition.TRIM_HORIZON,
          batchSize: consumer.batchSize,
          bisectBatchOnError: true,
          retryAttempts: STREAM_RETRY_ATTEMPTS,
          maxRecordAge: STREAM_MAX_RECORD_AGE,
          reportBatchItemFailures: true,
          onFailure: new SqsDlq(props.streamFailures),
          filters: consumer.filters,
        }),
      );
      return f;
    };

    this.publisher = streamConsumer('StreamPublisher', props.dispatchMode === 'outbox' ? { ...definitionOf(streamPublisher.entry), access: streamPublisher.outboxAccess } : definitionOf(streamPublisher.entry), {
      purpose: props.dispatchMode === 'outbox' ? 'publishes run transitions from the table stream to the bus and enqueues new queued runs (outbox)' : 'publishes run transitions from the table stream to the bus',
      batchSize: streamPublisher.batchSize,
      // Only run items and audit entries produce events; memberships, notifications and domain
      // records never invoke the publisher. The prefixes come from the key module (STREAM_EVENT_PREFIXES).
      filters: STREAM_EVENT_PREFIXES.map((prefix) => FilterCriteria.filter({ dynamodb: { Keys: { [TABLE_KEYS.sortKey]: { S: FilterRule.beginsWith(prefix) } } } })),
    });

    // Issue 19 follow-up: the second stream consumer deletes the Graph credentials a tenant profile
    // change superseded (shared/tenants/secret-sweeper.ts). Only tenant profiles' changes and removals
    // invoke it; its failures are retried and set aside like the publisher's, without holding back events.
    this.secretSweeper = streamConsumer('SecretSweeper', definitionOf(secretSweeper.entry), {
      purpose: 'deletes the Graph credential secrets a tenant profile change superseded (table stream)',
      batchSize: secretSweeper.batchSize,
      filters: [
        FilterCriteria.filter({
          eventName: FilterRule.or('MODIFY', 'REMOVE'),
          dynamodb: { Keys: { [TABLE_KEYS.partitionKey]: { S: FilterRule.beginsWith(tenantPk('')) }, [TABLE_KEYS.sortKey]: { S: FilterRule.isEqual(TENANT_PROFILE_SK) } } },
        }),
      ],
    });

    for (const rule of rules) {
      const target = new OperationFunction(this, functionId(rule.entry), {
        definition: definitionOf(rule.entry),
        resources: props.resources,
        purpose: `target of rule ${rule.name}`,
      });
      target.fn.configureAsyncInvoke({ onFailure: new SqsDestination(props.ruleTargetFailures), ...ASYNC_INVOKE });
      new Rule(this, `${functionId(rule.name)}Rule`, {
        eventBus: props.bus,
        description: `${rule.name}: ${rule.pattern['detail-type'].join(', ')}`,
        eventPattern: { source: rule.pattern.source, detailType: rule.pattern['detail-type'] },
        targets: [new LambdaFunction(target.fn, { deadLetterQueue: props.ruleTargetDlq, ...DELIVERY_RETRY })],
      });
      this.ruleTargets.push(target);
    }
  }
}
