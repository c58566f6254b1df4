// Every npm script runs on the Node.js major of lib/node-runtime.ts; a jest started on another stops here.
const { LAMBDA_NODE_RUNTIME } = require('tsx/cjs/api').require('./lib/node-runtime.ts', __filename);
require('tsx/cjs/api').require('./lib/require-node.ts', __filename);
process.stderr.write(
  `orderflow tests on Node.js ${process.version} (functions deploy on ${LAMBDA_NODE_RUNTIME})\n`,
);

/** @type {import('jest').Config} */
const transform = {
  '^.+\\.(t|j)sx?$': [
    '@swc/jest',
    { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
  ],
};
const common = {
  testEnvironment: '<rootDir>/test/helpers/console-on-failure-environment.ts',
  transform,
  moduleNameMapper: { '^#shared/(.*)$': '<rootDir>/functions/shared/$1' },
  setupFilesAfterEnv: ['<rootDir>/test/helpers/test-budget.ts'],
};

// Budgets for a loaded 2-core CI machine, not jest's 5 s default: integration tests start functions,
// synthesize the CDK app and wait on the stand-ins; a slow machine must not turn that into a failure.
// jest takes `testTimeout` only from the root configuration and ignores it in a project, so each
// project names its budget in `globals` and test/helpers/test-budget.ts applies it.
const budget = (testBudgetMs) => ({ globals: { testBudgetMs } });

module.exports = {
  projects: [
    { ...common, ...budget(30_000), displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      ...budget(120_000),
      displayName: 'infra',
      testMatch: ['<rootDir>/test/infra/**/*.test.ts'],
    },
    {
      ...common,
      ...budget(120_000),
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/helpers/global-setup.mjs',
      globalTeardown: '<rootDir>/test/helpers/global-teardown.mjs',
    },
  ],
};
