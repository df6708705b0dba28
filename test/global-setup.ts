/**
 * Starts fauxqs once per test run and the DynamoDB Local pool (a fresh, pre-booted DynamoDB Local for
 * each test file that uses one: test/support/dynamo-pool.ts) on free ports, hands their endpoints to
 * the tests with `provide`, and always stops them.
 */
import type { TestProject } from 'vitest/node';
import { startFauxqs } from 'fauxqs';
import { startDynamoPool } from './support/dynamo-pool.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoPool: string;
    sqsEndpoint: string;
  }
}

export default async function setup(project: TestProject) {
  // One spare per worker: each worker's next file finds an instance already booted.
  const workers = Number(project.config.maxWorkers) || 1;
  const pool = await startDynamoPool({ spares: workers, pidDir: '.local/test-pids' });
  const sqs = await startFauxqs({ port: 0, logger: false } as never);
  project.provide('dynamoPool', pool.url);
  project.provide('sqsEndpoint', (sqs as any).address);
  return async () => {
    await (sqs as any).stop();
    await pool.stop();
  };
}
