/** `npm run test:security`: the route × role × organisation matrix and the attacks of QUALITY.md. */
const base = require('./jest.config');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/security'],
  testPathIgnorePatterns: ['/node_modules/'],
};
