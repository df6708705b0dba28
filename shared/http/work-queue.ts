/**
 * The SQS work queue for API functions that send work (wiring `access.sendWork`): their entry calls
 * `useWorkQueue(sqsWorkQueue)`. Kept out of deps.ts so read paths do not bundle the SQS client.
 */
import type { WorkQueue } from '../runs/ports.js';
import { SqsWorkQueue } from '../queue/sqs-work-queue.js';
import { sharedSqsClient } from '../queue/sqs-client.js';
import { settings } from '../settings.js';

// The queue URL is set on every function that may send work; a missing URL fails there, loudly.
export const sqsWorkQueue = (): WorkQueue => new SqsWorkQueue(sharedSqsClient(), settings().workQueueUrl ?? '');
