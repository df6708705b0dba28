/**
 * The product's queues and its event bus: the work queue and its DLQ (settings from wiring), the
 * queue that keeps stream records the publisher could not deliver, and the bus run events go to.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Queue, QueueEncryption, type QueueProps } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_BUS_NAME, queues } from '../../shared/wiring.js';

/** Longest SQS retention: a failed run's message waits for a human as long as SQS allows. */
const FAILED_MESSAGE_RETENTION = Duration.days(14);

/** SSE with SQS-owned keys (no KMS grants needed by senders) and TLS-only access for every queue. */
const secure: Pick<QueueProps, 'encryption' | 'enforceSSL'> = {
  encryption: QueueEncryption.SQS_MANAGED,
  enforceSSL: true,
};

export class Messaging extends Construct {
  readonly workQueue: Queue;
  readonly workDlq: Queue;
  /** where the stream publisher's ESM sends records it gave up on (metadata, not the records) */
  readonly streamFailures: Queue;
  readonly bus: EventBus;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.workDlq = new Queue(this, 'WorkDlq', {
      queueName: queues.dlq.name,
      retentionPeriod: FAILED_MESSAGE_RETENTION,
      ...secure,
    });

    // Standard queue: senders set MessageGroupId = tenantId, which SQS fair queues use to keep one
    // tenant's burst from starving the others (§8) — a FIFO queue would serialize each tenant.
    this.workQueue = new Queue(this, 'WorkQueue', {
      queueName: queues.work.name,
      visibilityTimeout: Duration.seconds(queues.work.visibilityTimeoutSeconds),
      deadLetterQueue: { queue: this.workDlq, maxReceiveCount: queues.work.maxReceiveCount },
      ...secure,
    });

    this.streamFailures = new Queue(this, 'StreamFailures', {
      retentionPeriod: FAILED_MESSAGE_RETENTION,
      ...secure,
    });
    Validations.of(this.streamFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the on-failure destination of the table stream event source; nothing consumes it automatically, so a further DLQ would never receive anything.',
    });

    this.bus = new EventBus(this, 'Bus', { eventBusName: EVENT_BUS_NAME });
  }
}
