/**
 * `npm run test:faults`: the fault-injection suite (test/faults), real processes killed, stopped
 * and restarted. One file at a time: each starts its own processes and measures timings, which
 * two files side by side on two cores would distort. FAULTS_SIZE=full for the sizes.
 */
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testPathIgnorePatterns: ['/node_modules/'],
  testMatch: ['**/test/faults/**/*.test.ts'],
  maxWorkers: 1,
  testTimeout: 900_000,
};
