/**
 * Run events (§6, §7): the stream publisher turns committed table writes into bus events, and each
 * wiring rule routes matching events to its Lambda (the notifier).
 */
import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { keys, TABLE_KEYS } from '../../shared/store/keys.js';
import { rules, streamPublisher } from '../../shared/wiring.js';
import { definitionOf, functionId } from './deployed-functions.js';
import { type FunctionResources, OperationFunction } from './operation-function.js';

export interface EventsProps {
  resources: FunctionResources;
  table: ITable;
  bus: IEventBus;
  /** where stream batches the publisher could not deliver are recorded */
  streamFailures: IQueue;
}

/**
 * A poison record is retried this often (with bisection narrowing it down to one record) before
 * it goes to the failure queue; transient EventBridge errors clear long before that.
 */
const STREAM_RETRY_ATTEMPTS = 5;
/** Records older than the stream's own 24 h retention are lost anyway; give up a little earlier. */
const STREAM_MAX_RECORD_AGE = Duration.hours(12);

export class Events extends Construct {
  readonly publisher: OperationFunction;
  readonly ruleTargets: OperationFunction[] = [];

  constructor(scope: Construct, id: string, props: EventsProps) {
    super(scope, id);

    this.publisher = new OperationFunction(this, 'StreamPublisher', {
      definition: definitionOf(streamPublisher.entry),
      resources: props.resources,
      purpose: 'publishes run transitions from the table stream to the bus',
      moreWildcardReasons: ['The DynamoDB event source grants dynamodb:ListStreams, which works only on `*`; the stream reads themselves are scoped to this table\'s stream.'],
    });
    this.publisher.fn.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: streamPublisher.batchSize,
        bisectBatchOnError: true,
        retryAttempts: STREAM_RETRY_ATTEMPTS,
        maxRecordAge: STREAM_MAX_RECORD_AGE,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(props.streamFailures),
        // Only run items produce events; memberships, notifications and domain records never
        // invoke the publisher. The prefix comes from the key module, not a literal.
        filters: [FilterCriteria.filter({ dynamodb: { Keys: { [TABLE_KEYS.sortKey]: { S: FilterRule.beginsWith(keys.runPrefix) } } } })],
      }),
    );

    for (const rule of rules) {
      const target = new OperationFunction(this, functionId(rule.entry), {
        definition: definitionOf(rule.entry),
        resources: props.resources,
        purpose: `target of rule ${rule.name}`,
      });
      new Rule(this, `${functionId(rule.name)}Rule`, {
        eventBus: props.bus,
        description: `${rule.name}: ${rule.pattern['detail-type'].join(', ')}`,
        eventPattern: { source: rule.pattern.source, detailType: rule.pattern['detail-type'] },
        // EventBridge's default retry (24 h) stands: consumers are idempotent by run + kind (§7).
        targets: [new LambdaFunction(target.fn)],
      });
      this.ruleTargets.push(target);
    }
  }
}
