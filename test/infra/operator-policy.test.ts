import { Template } from 'aws-cdk-lib/assertions';
import { OUTPUTS } from '../../lib/contract';
import { PROJECT_ROOT } from '../../lib/project-root';
import { buildApp } from './support/app';
import { cliActions } from './support/cli-actions';

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

const { pipeline } = buildApp({ stage: 'dev' });
const template = Template.fromStack(pipeline);
const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy'));
const statements = (policies[0]?.Properties?.PolicyDocument?.Statement ?? []) as Statement[];
const allowed = [
  ...new Set(statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))),
].sort();

describe('the operator policy', () => {
  it('allows exactly the actions the CLI’s code calls', () => {
    // Act
    const called = cliActions(PROJECT_ROOT);

    // Assert
    expect(policies).toHaveLength(1);
    expect(called).toEqual(
      expect.arrayContaining(['states:RedriveExecution', 'cloudformation:DescribeStacks']),
    );
    expect(allowed).toEqual(called);
  });

  it('names resources, never every resource of a service', () => {
    // Assert
    const resources = statements.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));
    expect(resources.length).toBeGreaterThanOrEqual(statements.length);
    expect(resources).not.toContain('*');
  });

  it('is a stack output, for attaching to an operator’s role', () => {
    // Assert
    template.hasOutput(OUTPUTS.operatorPolicyArn, {
      Value: { Ref: Object.keys(template.findResources('AWS::IAM::ManagedPolicy'))[0] },
    });
  });
});
