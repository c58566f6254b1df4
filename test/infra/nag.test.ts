import { type App, Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { buildApp } from './support/app';

/**
 * cdk-nag 3 reports through CDK's policy-validation plugins, not through Annotations: findings make
 * `app.synth()` throw and are listed in validation-report.json. The pack's `validateScope` returns the
 * same findings as data, so a failure here names every rule and construct path.
 */
const unacknowledgedFindings = (app: App) =>
  new AwsSolutionsChecks()
    .validateScope(app)
    .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));

const acknowledgements = (root: IConstruct) =>
  root.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
    .flatMap((m) => Object.entries(m.data as Record<string, string>))
    .map(([id, reason]) => ({ id: id.replace(/^annotation::/i, ''), reason }));

describe('cdk-nag AwsSolutions', () => {
  it.each(['dev', 'prod'])('finds nothing unacknowledged in either %s stack', (stage) => {
    // Arrange
    const { app } = buildApp({ stage });

    // Act
    const findings = unacknowledgedFindings(app);

    // Assert
    expect(findings).toEqual([]);
  });

  it('synthesizes through the registered plugins (nag, CloudFormation validation, guardrails) without error', () => {
    // Arrange
    const { app } = buildApp({}, { cloudFormationValidation: true });

    // Act / Assert
    expect(() => app.synth()).not.toThrow();
  });

  it('reports a new finding instead of letting it through', () => {
    // Arrange
    const { app, stateful } = buildApp();
    new Bucket(stateful, 'CarelessBucket');

    // Act
    const findings = unacknowledgedFindings(app);

    // Assert
    expect(findings).toContain('AwsSolutions-S10 at orderflow-dev-stateful/CarelessBucket/Resource');
    expect(() => app.synth()).toThrow(/AwsSolutions-S10/);
  });

  it('acknowledges exact finding ids only, each with a reason', () => {
    // Arrange
    const { app } = buildApp();

    // Act
    const acks = acknowledgements(app).filter((a) => a.id.startsWith('AwsSolutions-'));

    // Assert
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      // IAM4/IAM5 report one finding per policy/action/resource: acknowledging the bare rule id would
      // not even match in cdk-nag 3, and would hide future findings if it did.
      if (/^AwsSolutions-IAM[45]/.test(ack.id)) expect(ack.id).toMatch(/^AwsSolutions-IAM[45]\[.+\]$/);
      expect(ack.reason.length).toBeGreaterThanOrEqual(60);
    }
  });
});
