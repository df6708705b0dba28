/**
 * Polls an SQS queue (fauxqs) the way Lambda's event source mapping does: long-poll a batch, invoke
 * the consumer with an SQS event, delete the messages that succeeded, leave the failed ones
 * (batchItemFailures) to become visible again after the visibility timeout — so redelivery and DLQ
 * redrive after maxReceiveCount come from SQS itself.
 *
 * Like the mapping's `MaximumConcurrency` (shared/wiring.ts, e.g. WORKER_MAX_CONCURRENCY), at most
 * `maxConcurrency` batches are in flight at once: the poller receives the next batch only while
 * fewer are running, so local runs see the same bound as deployed ones.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, Context } from 'aws-lambda';

export interface PollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  batchSize: number;
  handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;
  context: () => Context;
  onError?: (err: unknown) => void;
  waitSeconds?: number;
  /** batches in flight at once (default 1) */
  maxConcurrency?: number;
}

export function startPoller(opts: PollerOptions) {
  const maxConcurrency = Math.max(1, opts.maxConcurrency ?? 1);
  let stopped = false;
  const running = new Set<Promise<void>>();

  const invoke = async (messages: Message[]) => {
    const event: SQSEvent = {
      Records: messages.map((m) => ({
        messageId: m.MessageId!,
        receiptHandle: m.ReceiptHandle!,
        body: m.Body ?? '',
        attributes: (m.Attributes ?? {}) as never,
        messageAttributes: (m.MessageAttributes ?? {}) as never,
        md5OfBody: m.MD5OfBody ?? '',
        eventSource: 'aws:sqs',
        eventSourceARN: opts.queueArn,
        awsRegion: 'us-east-1',
      })),
    };
    let failed = new Set<string>();
    try {
      const result = await opts.handler(event, opts.context());
      failed = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (err) {
      // A thrown handler fails the whole batch, as with Lambda.
      failed = new Set(messages.map((m) => m.MessageId!));
      opts.onError?.(err);
    }
    const done = messages.filter((m) => !failed.has(m.MessageId!));
    if (done.length) {
      await opts.sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: opts.queueUrl, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
      );
    }
  };

  const loop = async () => {
    while (!stopped) {
      try {
        // At the cap: wait for a batch to finish before receiving another.
        while (running.size >= maxConcurrency && !stopped) await Promise.race(running);
        if (stopped) break;
        const out = await opts.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: opts.queueUrl,
            MaxNumberOfMessages: Math.min(10, opts.batchSize),
            WaitTimeSeconds: opts.waitSeconds ?? 1,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        if (stopped) break;
        const messages = out.Messages ?? [];
        if (messages.length === 0) continue;
        const batch: Promise<void> = invoke(messages)
          .catch((err) => opts.onError?.(err))
          .finally(() => running.delete(batch));
        running.add(batch);
      } catch (err) {
        if (stopped) break;
        opts.onError?.(err);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  };
  const polling = loop();
  return {
    /** batches being handled right now */
    inFlight: () => running.size,
    async stop() {
      stopped = true;
      await polling;
      await Promise.all(running);
    },
  };
}
