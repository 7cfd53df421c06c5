import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Worker threads start faster than forked processes; each test file still gets its own PGlite.
    pool: 'threads',
    // Opening PGlite (Postgres in WebAssembly) takes a second or two on a busy CI machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
