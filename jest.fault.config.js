/** `npm run test:fault`: the reliability scenarios of QUALITY.md with real processes (slow). */
const base = require('./jest.config');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/fault'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 15 * 60_000,
  maxWorkers: 1,
};
