import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { WorkMessage, WorkQueue } from '../runs/ports.js';

/** The work queue on SQS. `MessageGroupId = tenantId` lets SQS fair queues stop one tenant starving others (§8). */
export class SqsWorkQueue implements WorkQueue {
  constructor(private readonly sqs: SQSClient, private readonly queueUrl: string) {}

  async send(message: WorkMessage, opts: { delaySeconds?: number } = {}): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(message),
        MessageGroupId: message.tenantId,
        DelaySeconds: opts.delaySeconds,
      }),
    );
  }
}
