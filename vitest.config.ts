import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'harness/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Interop tests start real daemons in network namespaces; two cores, so keep it modest.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
