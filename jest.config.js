const ESM_ONLY = [
  '@middy',
  'htmlparser2',
  'jose',
  'domhandler',
  'domutils',
  'domelementtype',
  'entities',
  'dom-serializer',
  'marked',
  'github-slugger',
];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // swc strips types only (fast); `tsc --noEmit` in `npm test` does the type checking.
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest'] },
  // These ship ESM only; let swc turn them into CommonJS for Jest.
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join('|')})/)`],
  setupFiles: ['<rootDir>/test/setup.ts'],
  testTimeout: 30000,
};
