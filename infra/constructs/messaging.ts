/**
 * The product's queues and its event bus: the work queue and its DLQ, the schedule queue and its DLQ
 * (settings from wiring), the queue that keeps stream records the publisher could not deliver, and
 * the bus run events go to.
 *
 * No physical names: CloudFormation names every queue (stack name + logical id + suffix), so two
 * stacks coexist in one account, and a rollback + redeploy never asks SQS for a name deleted less
 * than 60 s ago (SQS answers `QueueDeletedRecently` then: "You must wait 60 seconds after deleting a
 * queue before you can create another queue with the same name"). Functions get the queue URL and
 * the bus name as environment variables from these constructs (infra/stack.ts), never from wiring.
 */
import { Aws, Duration, Validations } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Queue, QueueEncryption, type QueueProps } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { queues } from '../../shared/wiring.js';

/** Longest SQS retention: a failed run's message waits for a human as long as SQS allows. */
const FAILED_MESSAGE_RETENTION = Duration.days(14);

/**
 * A bus must have a name (CloudFormation's `Name` is required), so it carries the stack's name:
 * unique per stack in the account and region, stable across updates of one stack.
 */
const BUS_NAME_SUFFIX = 'run-events';

/** SSE with SQS-owned keys (no KMS grants needed by senders) and TLS-only access for every queue. */
const secure: Pick<QueueProps, 'encryption' | 'enforceSSL'> = {
  encryption: QueueEncryption.SQS_MANAGED,
  enforceSSL: true,
};

export class Messaging extends Construct {
  readonly workQueue: Queue;
  readonly workDlq: Queue;
  /** due schedules the tick fans out, one message each, for the schedule starter (issue 16) */
  readonly scheduleQueue: Queue;
  /** schedule messages that failed maxReceiveCount times; nothing consumes it (alarmed, runbook) */
  readonly scheduleDlq: Queue;
  /** where the stream publisher's ESM sends records it gave up on (metadata, not the records) */
  readonly streamFailures: Queue;
  /**
   * on-failure destination of the rule targets' asynchronous invocations (infra/constructs/events.ts):
   * an invocation record for each event whose function still failed after Lambda's retries
   */
  readonly ruleTargetFailures: Queue;
  /** dead-letter queue of the rule targets: events EventBridge could not hand to Lambda at all */
  readonly ruleTargetDlq: Queue;
  readonly bus: EventBus;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.workDlq = new Queue(this, 'WorkDlq', {
      retentionPeriod: FAILED_MESSAGE_RETENTION,
      ...secure,
    });

    // Standard queue: senders set MessageGroupId = tenantId, which SQS fair queues use to keep one
    // tenant's burst from starving the others (§8) — a FIFO queue would serialize each tenant.
    this.workQueue = new Queue(this, 'WorkQueue', {
      visibilityTimeout: Duration.seconds(queues.work.visibilityTimeoutSeconds),
      deadLetterQueue: { queue: this.workDlq, maxReceiveCount: queues.work.maxReceiveCount },
      ...secure,
    });

    this.scheduleDlq = new Queue(this, 'ScheduleDlq', { retentionPeriod: FAILED_MESSAGE_RETENTION, ...secure });
    Validations.of(this.scheduleDlq).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the schedule queue; nothing consumes it automatically (an operator inspects it, docs/DEPLOY.md), so a further DLQ would never receive anything.',
    });
    this.scheduleQueue = new Queue(this, 'ScheduleQueue', {
      visibilityTimeout: Duration.seconds(queues.schedule.visibilityTimeoutSeconds),
      deadLetterQueue: { queue: this.scheduleDlq, maxReceiveCount: queues.schedule.maxReceiveCount },
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

    this.ruleTargetFailures = new Queue(this, 'RuleTargetFailures', { retentionPeriod: FAILED_MESSAGE_RETENTION, ...secure });
    this.ruleTargetDlq = new Queue(this, 'RuleTargetDlq', { retentionPeriod: FAILED_MESSAGE_RETENTION, ...secure });
    for (const [queue, role] of [
      [this.ruleTargetFailures, 'the on-failure destination of the rule targets\' asynchronous invocations'],
      [this.ruleTargetDlq, 'the dead-letter queue of the EventBridge rule targets'],
    ] as const) {
      Validations.of(queue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason: `This queue is itself ${role}; nothing consumes it automatically (an operator inspects and replays it, docs/DEPLOY.md), so a further DLQ would never receive anything.`,
      });
    }

    this.bus = new EventBus(this, 'Bus', { eventBusName: `${Aws.STACK_NAME}-${BUS_NAME_SUFFIX}` });
  }
}
