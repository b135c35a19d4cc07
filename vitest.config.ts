import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Native addons (better-sqlite3, zstd-napi) and child processes behave best in forked workers.
    pool: 'forks',
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    reporters: ['default'],
  },
});
