import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Command tests run the built CLI from dist/ (npm test builds first).
    disableConsoleIntercept: true,
    // The JSON result feeds the plain "N passed, N failed" line that .ci/run prints last.
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
  },
});
