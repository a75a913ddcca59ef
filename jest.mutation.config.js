/**
 * Jest for mutation testing (`npm run test:mutation`): the unit tests only, without the global
 * setup that starts PostgreSQL, Redis and Temporal, so each mutant is judged in seconds. The
 * whole project is the root (only test/unit is matched) so that jest's related-tests lookup can
 * follow imports through src/.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
  modulePathIgnorePatterns: ['<rootDir>/.stryker-tmp', '<rootDir>/dist', '<rootDir>/.data', '<rootDir>/.tools'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
};
