/**
 * Mutation testing (`npm run test:mutation`): pure code judged by the unit tests alone.
 * The KYC provider files are mutated whole: their webhook readers are unit-tested, their API
 * clients only by integration tests against local provider servers (too slow to run per mutant),
 * so mutants in the clients count as survived and lower that file's score. Likewise the AML
 * snapshot, the ledger and idempotency: their pure parts (row mapping, line validation, request
 * hashing, key format) are unit-tested; their SQL is judged by the integration tests only, so
 * mutants there show as "no coverage" (reported apart from the 80% goal of the pure rules and readers).
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
module.exports = {
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'jest.mutation.config.js' },
  // The TypeScript checker sets aside mutants that would not compile. It type-checks the whole
  // project per group of mutants, which made a run here about ten times slower (the readers alone:
  // 46 s without it, unfinished after 5 minutes with it), so it is opt-in:
  // `npm run test:mutation -- --checkers typescript`. Without it such a mutant runs as plain JS
  // and counts as killed or survived instead of being set aside.
  checkers: [],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  concurrency: 2,
  mutate: [
    'src/features/*/rules.ts',
    'src/features/aml/sanctions.ts',
    'src/features/aml/snapshot.ts',
    'src/kernel/money.ts',
    'src/kernel/ledger.ts',
    'src/kernel/idempotency.ts',
    'src/kernel/errors.ts',
    'src/features/notifications/templates.ts',
    'src/features/kyc/providers/{http,local,sumsub,onfido,veriff}.ts',
  ],
  ignorePatterns: ['.data', '.tools', 'dist', 'coverage', 'reports', 'deploy'],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
