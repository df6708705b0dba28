/**
 * The SQS client and the work queue over it, as one module that the run worker's lazy work queue
 * (./lazy-sqs-work-queue.ts) imports on its first send: through this module esbuild keeps only the
 * exports used (an import() of the package itself would keep all of them). Deployed, it is a chunk of
 * its own in the worker's asset (infra/constructs/bundling-options.ts). Nothing here
 * holds state: the client's settings and instrumentation come from the importer.
 */
export { SQSClient } from '@aws-sdk/client-sqs';
export { SqsWorkQueue } from './sqs-work-queue.js';
