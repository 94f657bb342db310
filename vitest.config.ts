import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // test/unit/renderer/*.test.tsx are component tests: they pick happy-dom with a
    // `// @vitest-environment happy-dom` comment; everything else runs in Node. test/e2e drives
    // Chromium against a real `switchyard serve`.
    include: [
      'test/unit/**/*.test.ts',
      'test/unit/renderer/**/*.test.tsx',
      'test/integration/**/*.test.ts',
      'test/e2e/**/*.test.ts',
    ],
    // Integration tests start real servers and child processes; run files in forks, a few at a time.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
