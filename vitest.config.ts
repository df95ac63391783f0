import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      // A unit test is not a timing test: the limit only stops a hung test, and a 2-core machine under load
      // (other suites, CI neighbours) takes several seconds for the tests that parse every file or bundle.
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node', testTimeout: 60_000 } },
      { test: { name: 'infra', include: ['test/infra/**/*.test.ts'], testTimeout: 180_000, hookTimeout: 180_000 } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        // `npm run test:big`: the realistic-package run (GiB files), too slow for `npm test`.
        test: {
          name: 'big',
          include: ['test/big/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 60 * 60_000,
          hookTimeout: 10 * 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
