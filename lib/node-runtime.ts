/**
 * The one Node.js major orderflow runs on, from test to Lambda: the functions' Lambda runtime, the
 * esbuild target of their bundles, and the Node.js that runs the tests, the local runtime, the CLI
 * and the benchmarks. `npm ci` installs this major from the npm registry (package.json's `node`
 * devDependency) and npm scripts put it first on PATH. `.node-version` names it for version
 * managers. test/infra/node-runtime.test.ts fails when any of them drifts from this constant.
 *
 * No AWS CDK import here: the local runtime, the CLI and jest's configuration read it too.
 */
export const NODE_MAJOR = 22;

/** The Lambda runtime identifier the functions deploy with. */
export const LAMBDA_NODE_RUNTIME = `nodejs${NODE_MAJOR}.x`;

/** esbuild's target for the function bundles. */
export const ESBUILD_NODE_TARGET = `node${NODE_MAJOR}`;

/** Exit code of a process started on another Node.js major (a missing prerequisite, like a taken port). */
export const WRONG_NODE_EXIT_CODE = 2;

/** Why this process may not run orderflow, or undefined when it runs on the right major. */
export const nodeMajorProblem = (version: string = process.versions.node): string | undefined => {
  const major = Number(version.split('.')[0]);
  if (major === NODE_MAJOR) return undefined;
  return (
    `orderflow runs on Node.js ${NODE_MAJOR} (the Lambda runtime ${LAMBDA_NODE_RUNTIME}), but this is Node.js ${version}. ` +
    `Run it through npm (npm test, npm start, npm run orderflow -- …), which uses the Node.js ${NODE_MAJOR} that npm ci installed, ` +
    `or put a Node.js ${NODE_MAJOR} first on PATH.`
  );
};

/** Prints one line and stops the process when it runs on another major. */
export const requireNodeMajor = (): void => {
  const problem = nodeMajorProblem();
  if (problem === undefined) return;
  process.stderr.write(`${problem}\n`);
  process.exit(WRONG_NODE_EXIT_CODE);
};
