import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildApp } from './support/app';
import { CFN_LINT_MISSING, describeFinding, ignoredRules, runCfnLint } from './support/cfn-lint';

const STAGES = ['dev', 'prod'] as const;

// Synthesized once for the file (bundling skipped: the templates are the same but for asset hashes).
const assemblies = STAGES.map((stage) => buildApp({ stage }).app.synth());
const templates = assemblies.flatMap((assembly) => assembly.stacks.map((stack) => stack.templateFullPath));

afterAll(() => {
  for (const assembly of assemblies) rmSync(assembly.directory, { recursive: true, force: true });
});

describe('cfn-lint', () => {
  it('finds no error and no warning beyond the rules .cfnlintrc.yaml ignores in any template of either stage', () => {
    // Arrange
    const names = templates.map((file) => path.basename(file)).sort();

    // Act
    const findings = runCfnLint(templates);

    // Assert
    expect(names).toEqual([
      'orderflow-dev-pipeline.template.json',
      'orderflow-dev-stateful.template.json',
      'orderflow-prod-pipeline.template.json',
      'orderflow-prod-stateful.template.json',
    ]);
    expect(findings.map(describeFinding)).toEqual([]);
  });

  it('reports an error in a template instead of letting it through', () => {
    // Arrange: a queue whose visibility timeout is not a number
    const dir = mkdtempSync(path.join(tmpdir(), 'orderflow-cfn-lint-'));
    const broken = path.join(dir, 'broken.template.json');
    writeFileSync(
      broken,
      JSON.stringify({
        Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 'soon' } } },
      }),
    );

    try {
      // Act
      const findings = runCfnLint([broken]);

      // Assert
      expect(findings).toContainEqual(
        expect.objectContaining({ level: 'Error', file: 'broken.template.json', line: expect.any(Number) }),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails with the install command when cfn-lint is not installed, never passes silently', () => {
    // Act / Assert
    expect(() => runCfnLint(templates, { command: 'cfn-lint-that-is-not-installed' })).toThrow(
      CFN_LINT_MISSING,
    );
    expect(CFN_LINT_MISSING).toContain('pip install cfn-lint');
  });

  it('ignores rules by id only, each with its reason written next to it', () => {
    // Act
    const rules = ignoredRules();

    // Assert
    expect(rules.map((rule) => rule.id)).toEqual(['W3005']);
    for (const rule of rules) expect(rule.reason.length).toBeGreaterThanOrEqual(60);
  });
});
