import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/support/dynamo-per-file.ts'],
    testTimeout: 90_000, // a budget for a loaded machine (CI shares its cores), never a speed claim
    hookTimeout: 60_000,
    pool: 'forks',
    // Tests give the cursor key as a value, as the local runtime does (deployed: CURSOR_SECRET_ARN).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', METRICS_DISABLED: '1', CURSOR_SECRET: 'fake-test-cursor-signing-key' },
  },
});
