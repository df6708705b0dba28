/**
 * The SQS-driven workers (§8): the run worker on the work queue and the DLQ handler that completes
 * exhausted runs as failed. Both report partial batch failures, so one bad message is retried alone.
 */
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { queues } from '../../shared/wiring.js';
import { definitionOf } from './deployed-functions.js';
import { type FunctionResources, OperationFunction } from './operation-function.js';

export interface WorkersProps {
  resources: FunctionResources;
  workQueue: IQueue;
  workDlq: IQueue;
  /** the work queue event source's maximum concurrency (wiring WORKER_MAX_CONCURRENCY, CDK context workerMaxConcurrency) */
  workerMaxConcurrency?: number;
}

export class Workers extends Construct {
  readonly worker: OperationFunction;
  readonly dlqHandler: OperationFunction;

  constructor(scope: Construct, id: string, props: WorkersProps) {
    super(scope, id);
    const { work, dlq } = queues;

    this.worker = new OperationFunction(this, 'RunWorker', {
      definition: definitionOf(work.consumer),
      resources: props.resources,
      purpose: `consumes ${work.name}`,
    });
    // Bounded (issue 16): at most maxConcurrency worker invocations at once, so a burst of runs cannot
    // take the account's whole Lambda concurrency from the API and the other functions.
    this.worker.fn.addEventSource(new SqsEventSource(props.workQueue, {
      batchSize: work.batchSize, reportBatchItemFailures: true, maxConcurrency: props.workerMaxConcurrency ?? work.maxConcurrency,
    }));

    this.dlqHandler = new OperationFunction(this, 'DlqHandler', {
      definition: definitionOf(dlq.consumer),
      resources: props.resources,
      purpose: `consumes ${dlq.name}`,
    });
    this.dlqHandler.fn.addEventSource(new SqsEventSource(props.workDlq, { batchSize: dlq.batchSize, reportBatchItemFailures: true }));
  }
}
