/**
 * Mutation testing (`npm run test:mutation`): pure code judged by the unit tests alone.
 * The line ranges pick the webhook readers out of the KYC provider files: their API clients are
 * covered by integration tests against local provider servers, too slow to run per mutant.
 * Update the ranges when those files change.
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
    'src/domain/**/*.ts',
    'src/providers/email/templates.ts',
    'src/providers/kyc/http.ts:1-21',
    'src/providers/kyc/http.ts:40-43',
    'src/providers/kyc/local.ts:26-51',
    'src/providers/kyc/sumsub.ts:15-15',
    'src/providers/kyc/sumsub.ts:71-109',
    'src/providers/kyc/onfido.ts:53-88',
    'src/providers/kyc/veriff.ts:59-93',
  ],
  ignorePatterns: ['.data', '.tools', 'dist', 'coverage', 'reports', 'deploy'],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
