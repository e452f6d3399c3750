/** `npm run test:fault`: the reliability scenarios of QUALITY.md with real processes (slow). */
const base = require('./jest.config');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/fault'],
  testPathIgnorePatterns: ['/node_modules/'],
  // A PostgreSQL cluster and a Redis server of the suite's own, on free loopback ports: the
  // scenarios flush, stop and restart them, which the machine's shared services must never see.
  globalSetup: '<rootDir>/test/fault/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/fault/helpers/global-teardown.ts',
  testTimeout: 15 * 60_000,
  maxWorkers: 1,
};
