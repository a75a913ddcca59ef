/** `npm run test:browser`: the operator console in Debian's Chromium, on the real stack. */
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = { ...base, testPathIgnorePatterns: ['/node_modules/'], testMatch: ['**/test/browser/**/*.test.ts'] };
