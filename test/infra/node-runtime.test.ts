import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { ORDERFLOW_BUNDLING } from '../../lib/bundling/bundle';
import { ENTRY_METADATA_KEY } from '../../lib/contract';
import {
  ESBUILD_NODE_TARGET,
  LAMBDA_NODE_RUNTIME,
  NODE_MAJOR,
  nodeMajorProblem,
} from '../../lib/node-runtime';
import { PROJECT_ROOT } from '../../lib/project-root';
import { buildApp } from './support/app';

const majorOf = (version: string): number => Number(version.replace(/^[^0-9]*/, '').split('.')[0]);

const packageJson = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
  engines: Record<string, string>;
};

describe('one Node.js major from test to Lambda', () => {
  it('runs these tests on the major the functions deploy with', () => {
    // Assert
    expect(majorOf(process.versions.node)).toBe(NODE_MAJOR);
  });

  it('bundles for that major', () => {
    // Assert
    expect(ORDERFLOW_BUNDLING.target).toBe(`node${NODE_MAJOR}`);
    expect(ESBUILD_NODE_TARGET).toBe(ORDERFLOW_BUNDLING.target);
  });

  it('installs that major with npm ci, types it with @types/node and names it in .node-version', () => {
    // Assert
    expect(majorOf(packageJson.devDependencies.node ?? '')).toBe(NODE_MAJOR);
    expect(majorOf(packageJson.devDependencies['@types/node'] ?? '')).toBe(NODE_MAJOR);
    expect(packageJson.engines.node).toBe(`${NODE_MAJOR}.x`);
    expect(readFileSync(path.join(PROJECT_ROOT, '.node-version'), 'utf8').trim()).toBe(String(NODE_MAJOR));
  });

  it.each(['dev', 'prod'])('deploys every orderflow function of %s on that Lambda runtime', (stage) => {
    // Arrange
    const { stateful, pipeline } = buildApp({ stage });

    // Act
    const runtimes = [stateful, pipeline].flatMap((stack) =>
      Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))
        .filter((resource) => resource.Metadata?.[ENTRY_METADATA_KEY] !== undefined)
        .map((resource) => resource.Properties.Runtime as string),
    );

    // Assert
    expect(runtimes.length).toBeGreaterThan(0);
    expect(new Set(runtimes)).toEqual(new Set([LAMBDA_NODE_RUNTIME]));
  });

  it('refuses another major with one line that says how to run on the right one', () => {
    // Act
    const problem = nodeMajorProblem(`${NODE_MAJOR - 2}.20.2`);

    // Assert
    expect(problem).toMatch(new RegExp(`^orderflow runs on Node.js ${NODE_MAJOR} .*npm test`));
    expect(problem).not.toContain('\n');
    expect(nodeMajorProblem(`${NODE_MAJOR}.1.0`)).toBeUndefined();
  });
});
