/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The console's browser tests (Chromium, ~6-10 min on 2 cores) run on their own:
  // `npm run test:browser` (jest.browser.config.js); so does the fault suite, `npm run test:faults`.
  // test/redis-cluster/ needs a Redis Cluster: `npm run test:redis-cluster` (jest.redis-cluster.config.js).
  // The cluster tests start their own topology: `npm run test:cluster` (jest.cluster.config.js).
  testPathIgnorePatterns: [
    '/node_modules/',
    '<rootDir>/test/browser/',
    '<rootDir>/test/redis-cluster/',
    '<rootDir>/test/faults/',
    '<rootDir>/test/cluster/',
  ],
  transform: {
    // Type checking is `npm run typecheck`; tests only transpile, which keeps them fast.
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  // Integration tests wait on real timers (workflow expiry, retries); workflow bundling takes seconds.
  testTimeout: 180_000,
  // Two cores: the Temporal server, PostgreSQL and Redis share them with the test workers.
  maxWorkers: 2,
};
