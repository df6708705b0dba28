/**
 * Time-driven functions (§8): each wiring schedule becomes an EventBridge rule at its rate — the
 * backup-schedule tick every minute, the reaper every five — and the schedule starter, which the
 * tick's messages on the schedule queue drive (issue 16).
 */
import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { queues, schedules } from '../../shared/wiring.js';
import { definitionOf, functionId } from './deployed-functions.js';
import { type FunctionResources, OperationFunction } from './operation-function.js';

export interface SchedulesProps {
  resources: FunctionResources;
  scheduleQueue: IQueue;
}

export class Schedules extends Construct {
  /** by wiring schedule name */
  readonly functions: Record<string, OperationFunction> = {};
  /** consumes the schedule queue: claims each due schedule's time and starts its run */
  readonly starter: OperationFunction;

  constructor(scope: Construct, id: string, props: SchedulesProps) {
    super(scope, id);
    for (const schedule of schedules) {
      const target = new OperationFunction(this, functionId(schedule.entry), {
        definition: definitionOf(schedule.entry),
        resources: props.resources,
        purpose: `every ${schedule.everyMinutes} min (${schedule.name})`,
      });
      new Rule(this, `${functionId(schedule.name)}Schedule`, {
        description: `${schedule.name} every ${schedule.everyMinutes} min`,
        schedule: Schedule.rate(Duration.minutes(schedule.everyMinutes)),
        // A missed tick is harmless (the next one catches up, §8), so stale invocations are not retried for long.
        targets: [new LambdaFunction(target.fn, { retryAttempts: 2, maxEventAge: Duration.minutes(schedule.everyMinutes * 2) })],
      });
      this.functions[schedule.name] = target;
    }

    const { schedule: sq } = queues;
    this.starter = new OperationFunction(this, 'ScheduleStarter', {
      definition: definitionOf(sq.consumer),
      resources: props.resources,
      purpose: `consumes ${sq.name}`,
    });
    // Bounded like the worker: the starters never take more than maxConcurrency of the account's Lambdas.
    this.starter.fn.addEventSource(new SqsEventSource(props.scheduleQueue, {
      batchSize: sq.batchSize, reportBatchItemFailures: true, maxConcurrency: sq.maxConcurrency,
    }));
  }
}
