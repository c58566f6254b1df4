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
};

module.exports = {
  // A budget for a loaded 2-core CI machine, not jest's 5 s default: integration tests start functions and
  // wait on the stand-ins, infra tests synthesize the CDK app and run cfn-lint; a slow machine must not turn
  // that into a failure.
  // Top level on purpose: jest-circus 30 reads only the global testTimeout and ignores one set per project.
  testTimeout: 120_000,
  // Two workers even on a 2-core machine: integration tests spend much of their time waiting on the
  // stand-ins and the runtime's timers, and jest's default (cores - 1) would run every file one by one.
  maxWorkers: Math.max(2, require('node:os').availableParallelism() - 1),
  testSequencer: '<rootDir>/test/helpers/longest-first-sequencer.js',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/helpers/global-setup.mjs',
      globalTeardown: '<rootDir>/test/helpers/global-teardown.mjs',
    },
  ],
};
