/**
 * A setup file (vitest.config.ts): when a test file ends, the DynamoDB Local it leased goes back to
 * the pool, which stops it (test/support/dynamo-pool.ts). Registered before the file's own hooks, it
 * runs after them.
 */
import { afterAll } from 'vitest';
import { releaseDynamoEndpoint } from './services.js';

afterAll(async () => {
  await releaseDynamoEndpoint();
}, 60_000);
