/**
 * A setup file (vitest.config.ts): after each test file, drop the DynamoDB Local tables it created
 * (test/support/services.ts). Registered before the file's own hooks, it runs after them.
 */
import { afterAll } from 'vitest';
import { dropCreatedTables } from './services.js';

afterAll(async () => {
  await dropCreatedTables();
}, 60_000);
