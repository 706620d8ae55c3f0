/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  globalSetup: '<rootDir>/test/global-setup.ts',
  // The end-to-end suites spend most of their time waiting (the read lag, late deliveries, the
  // handler's minute of NotFound retries), so three suites share two cores; one at a time, the
  // test command would take about twice as long.
  maxWorkers: 3,
};
