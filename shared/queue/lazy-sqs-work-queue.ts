/**
 * The run worker's work queue: SQS, loaded on the first send. The worker sends only to continue a
 * run that ran out of time or to hand one over, so a cold start neither reads nor compiles the SQS
 * client (~24 KiB minified, issue 18 item 1): deployed, it is a chunk of its own beside the worker's
 * index.mjs (code splitting: infra/constructs/bundling-options.ts). Loaded once per container; a
 * failed load is tried again on the next send.
 */
import { memoizeAsync } from '../concurrency.js';
import { traced } from '../observability/tracer.js';
import type { WorkMessage, WorkQueue } from '../runs/ports.js';
import { sqsClientConfig } from '../store/clients.js';

type SqsApp = typeof import('./sqs-work-queue-app.js');
const loadSqs = (): Promise<SqsApp> => import('./sqs-work-queue-app.js');

export class LazySqsWorkQueue implements WorkQueue {
  private readonly queue: () => Promise<WorkQueue>;

  /** `endpoint`: the settings' SQS endpoint unless given (tests); `load`: how the SQS module is imported (tests). */
  constructor(queueUrl: string, opts: { endpoint?: string; load?: () => Promise<SqsApp> } = {}) {
    this.queue = memoizeAsync(async () => {
      const sqs = await (opts.load ?? loadSqs)();
      return new sqs.SqsWorkQueue(traced(new sqs.SQSClient(sqsClientConfig(opts.endpoint))), queueUrl);
    });
  }

  async send(message: WorkMessage, opts?: { delaySeconds?: number }): Promise<void> {
    await (await this.queue()).send(message, opts);
  }
}
