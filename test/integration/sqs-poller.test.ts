/**
 * The local poller honours the event source's maximum concurrency (issue 16): at most
 * `maxConcurrency` batches in flight, as Lambda's MaximumConcurrency allows deployed.
 */
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { startPoller } from '../../infra/local/sqs-poller.js';
import { localWorkerMaxConcurrency } from '../../infra/local/runtime.js';
import { makeSqsClient } from '../../shared/queue/sqs-client.js';
import { WORKER_MAX_CONCURRENCY } from '../../shared/wiring.js';
import { inject } from 'vitest';
import { uniqueName } from '../support/services.js';

const until = async (cond: () => boolean | Promise<boolean>) => {
  while (!(await cond())) await new Promise((r) => setTimeout(r, 50));
};

async function queueWith(messages: number) {
  const sqs = makeSqsClient(inject('sqsEndpoint'));
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('poller'), Attributes: { VisibilityTimeout: '300' } }))).QueueUrl!;
  for (let i = 0; i < messages; i += 10) {
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: Array.from({ length: Math.min(10, messages - i) }, (_, j) => ({ Id: String(j), MessageBody: `m${i + j}` })) }));
  }
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  return { sqs, url, arn };
}

/** A poller whose handler holds each batch until released, counting batches in flight. */
async function heldPoller(maxConcurrency: number, messages: number) {
  const { sqs, url, arn } = await queueWith(messages);
  let inFlight = 0;
  let peak = 0;
  let handled = 0;
  const waiting: Array<() => void> = [];
  const poller = startPoller({
    sqs, queueUrl: url, queueArn: arn, batchSize: 1, waitSeconds: 0, maxConcurrency,
    context: () => ({}) as never,
    handler: async (event) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise<void>((release) => waiting.push(release));
      inFlight--;
      handled += event.Records.length;
      return { batchItemFailures: [] };
    },
  });
  return {
    poller, waiting,
    stats: () => ({ inFlight, peak, handled }),
    releaseAll: () => { for (const r of waiting.splice(0)) r(); },
  };
}

describe('local SQS poller', () => {
  it('keeps at most maxConcurrency batches in flight, and reaches that many', async () => {
    const p = await heldPoller(3, 12);
    try {
      await until(() => p.stats().inFlight === 3);
      // Give the poller many chances to receive more while all three are held.
      for (let i = 0; i < 20; i++) {
        await new Promise((r) => setTimeout(r, 50));
        expect(p.stats().inFlight).toBe(3);
      }
      // Release batch by batch until all 12 messages are handled; never more than 3 at once.
      await until(async () => { p.releaseAll(); return p.stats().handled === 12; });
      await until(() => p.poller.inFlight() === 0); // each batch's delete done
      expect(p.stats().peak).toBe(3);
    } finally {
      p.releaseAll();
      await p.poller.stop();
    }
  });

  it('runs one batch at a time by default', async () => {
    const p = await heldPoller(undefined as never, 3);
    try {
      await until(() => p.stats().inFlight === 1);
      for (let i = 0; i < 10; i++) {
        await new Promise((r) => setTimeout(r, 50));
        expect(p.stats().inFlight).toBe(1);
      }
      await until(async () => { p.releaseAll(); return p.stats().handled === 3; });
      expect(p.stats().peak).toBe(1);
    } finally {
      p.releaseAll();
      await p.poller.stop();
    }
  });

  it('takes the worker cap from the option, else WORKER_MAX_CONCURRENCY, else the wiring default (20), in AWS\'s range', () => {
    expect(localWorkerMaxConcurrency(undefined, undefined)).toBe(WORKER_MAX_CONCURRENCY);
    expect(WORKER_MAX_CONCURRENCY).toBe(20);
    expect(localWorkerMaxConcurrency(undefined, '7')).toBe(7);
    expect(localWorkerMaxConcurrency(4, '7')).toBe(4);
    expect(() => localWorkerMaxConcurrency(undefined, '1')).toThrow(/WORKER_MAX_CONCURRENCY/);
    expect(() => localWorkerMaxConcurrency(undefined, 'many')).toThrow(/WORKER_MAX_CONCURRENCY/);
  });
});
