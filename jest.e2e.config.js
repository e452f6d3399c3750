/** `npm run test:e2e`: the staff web UI in Debian's Chromium (/usr/bin/chromium), against a real Herold. */
const base = require('./jest.config');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/e2e'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 240000,
  maxWorkers: 1,
};
