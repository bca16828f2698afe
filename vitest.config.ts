import { defineConfig } from 'vitest/config';

// Two projects: unit tests live beside the code and need nothing running;
// integration, chaos and browser tests live under test/ and share one real
// platform (etcd, Patroni-managed PostgreSQL, Redis Cluster, FerretDB) that the
// global setup starts once, on a port block of its own, and stops at the end.
export default defineConfig({
  test: {
    // Integration suites share one platform and two cores: files run one at a time.
    fileParallelism: false,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts', 'services/web/client/**/*.test.ts', 'platform/src/**/*.test.ts', 'deploy/**/*.test.ts', 'bench/support/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/setup/platform.global.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
