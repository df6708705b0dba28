/**
 * Starts DynamoDB Local and fauxqs once per test run on free ports, hands their endpoints to the
 * tests with `provide`, and always stops them.
 */
import type { TestProject } from 'vitest/node';
import { startFauxqs } from 'fauxqs';
import { startDynamoLocal } from '../infra/local/dynamodb-local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    sqsEndpoint: string;
  }
}

export default async function setup(project: TestProject) {
  const dynamo = await startDynamoLocal({ pidDir: '.local/test-pids' });
  const sqs = await startFauxqs({ port: 0, logger: false } as never);
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('sqsEndpoint', (sqs as any).address);
  return async () => {
    await (sqs as any).stop();
    await dynamo.stop();
  };
}
