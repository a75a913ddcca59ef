/**
 * `npm run test:cluster`: the production-shaped topology (Temporal on PostgreSQL as two server
 * processes, HAProxy, three API processes, two workers) and what survives a crash in it. Its own
 * global setup starts the Temporal cluster; `npm test` leaves test/cluster out.
 */
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testPathIgnorePatterns: ['/node_modules/'],
  testMatch: ['**/test/cluster/**/*.test.ts'],
  globalSetup: '<rootDir>/test/cluster/global-setup.ts',
  globalTeardown: '<rootDir>/test/cluster/global-teardown.ts',
  // One file, one topology: its processes already share the two cores.
  maxWorkers: 1,
  testTimeout: 600_000,
};
