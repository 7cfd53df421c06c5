import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Most of the suite's time is spent waiting on child processes (the CLI, services, npm), not on this
    // process's CPU: vitest's default (CPUs - 1) ran a 2-CPU CI machine one file at a time. E2E files use
    // ports of their own, so they may run side by side.
    maxWorkers: Math.max(availableParallelism(), 3),
    // Command tests run the built CLI from dist/ (npm test builds first).
    disableConsoleIntercept: true,
    // The JSON result feeds the plain "N passed, N failed" line that .ci/run prints last.
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
  },
});
