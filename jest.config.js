/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
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
