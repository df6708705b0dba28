import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** One due schedule the tick found: the starter claims `scheduledFor` and starts the run (issue 16). */
export interface ScheduleMessage {
  tenantId: string;
  scheduleId: string;
  /** the due time read from the due index; the claim is conditional on it */
  scheduledFor: string;
}

export interface ScheduleQueue {
  /** Sends every message or throws (the tick then fails; the next tick finds the schedules still due). */
  sendAll(messages: ScheduleMessage[]): Promise<void>;
}

/** SendMessageBatch takes at most 10 entries (SQS API reference). */
const SQS_BATCH_MAX = 10;

export function parseScheduleMessage(body: string): ScheduleMessage | null {
  try {
    const m = JSON.parse(body);
    if (typeof m?.tenantId !== 'string' || typeof m?.scheduleId !== 'string' || typeof m?.scheduledFor !== 'string' || Number.isNaN(Date.parse(m.scheduledFor))) return null;
    return { tenantId: m.tenantId, scheduleId: m.scheduleId, scheduledFor: m.scheduledFor };
  } catch {
    return null;
  }
}

/** The schedule queue on SQS; `MessageGroupId = tenantId`, as for the work queue (fair queues, §8). */
export class SqsScheduleQueue implements ScheduleQueue {
  constructor(private readonly sqs: SQSClient, private readonly queueUrl: string) {}

  async sendAll(messages: ScheduleMessage[]): Promise<void> {
    const batches: ScheduleMessage[][] = [];
    for (let i = 0; i < messages.length; i += SQS_BATCH_MAX) batches.push(messages.slice(i, i + SQS_BATCH_MAX));
    await Promise.all(batches.map((batch) => this.sendBatch(batch)));
  }

  private async sendBatch(batch: ScheduleMessage[]): Promise<void> {
    const out = await this.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: this.queueUrl,
        Entries: batch.map((m, i) => ({ Id: String(i), MessageBody: JSON.stringify(m), MessageGroupId: m.tenantId })),
      }),
    );
    if (out.Failed?.length) throw new Error(`schedule queue refused ${out.Failed.length} of ${batch.length} messages (${out.Failed.map((f) => f.Code).join(', ')})`);
  }
}
