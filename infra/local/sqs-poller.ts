/**
 * Polls an SQS queue (fauxqs) the way Lambda's event source mapping does: long-poll a batch, invoke
 * the consumer with an SQS event, delete the messages that succeeded, leave the failed ones
 * (batchItemFailures) to become visible again after the visibility timeout — so redelivery and DLQ
 * redrive after maxReceiveCount come from SQS itself.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
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
}

export function startPoller(opts: PollerOptions) {
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();
  const loop = async () => {
    while (!stopped) {
      try {
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
      } catch (err) {
        if (stopped) break;
        opts.onError?.(err);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  };
  inFlight = loop();
  return {
    async stop() {
      stopped = true;
      await inFlight;
    },
  };
}
