/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // swc strips types only (fast); `tsc --noEmit` in `npm test` does the type checking.
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest'] },
  // middy ships ESM only; let swc turn it into CommonJS for Jest.
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  setupFiles: ['<rootDir>/test/setup.ts'],
  testTimeout: 30000,
};
