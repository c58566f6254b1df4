import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../../lib/project-root';

/** The one configuration both this check and a hand-run `cfn-lint` use: regions and ignored rules, each with its reason. */
export const CFN_LINT_CONFIG = path.join(PROJECT_ROOT, '.cfnlintrc.yaml');

/** What a machine without cfn-lint is told: the check fails, it never passes silently. */
export const CFN_LINT_MISSING =
  'cfn-lint (the AWS CloudFormation Linter, a Python tool) is not installed or not on the PATH: ' +
  'install it with `pip install cfn-lint` and run the tests again';

// Both stages' templates lint in about 15 s on an idle 2-core machine; leave room under the test budget.
const LINT_TIMEOUT_MS = 100_000;

export interface CfnLintFinding {
  readonly level: string;
  readonly rule: string;
  readonly message: string;
  readonly file: string;
  readonly line?: number;
}

interface CfnLintJsonFinding {
  readonly Filename: string | null;
  readonly Level: string;
  readonly Message: string;
  readonly Rule: { readonly Id: string };
  readonly Location?: { readonly Start?: { readonly LineNumber?: number } };
}

/** How a shell reports a command it cannot find (a pyenv shim with no cfn-lint behind it does the same). */
const COMMAND_NOT_FOUND = 127;

/**
 * Lints the templates with the project's .cfnlintrc.yaml and returns every finding it reports
 * (errors and warnings; informational rules are off, as in cfn-lint's default). Throws
 * CFN_LINT_MISSING when there is no cfn-lint to run.
 */
export const runCfnLint = (
  templates: readonly string[],
  options: { readonly command?: string; readonly configFile?: string } = {},
): CfnLintFinding[] => {
  const result = spawnSync(
    options.command ?? 'cfn-lint',
    ['--format', 'json', '--config-file', options.configFile ?? CFN_LINT_CONFIG, '--', ...templates],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: LINT_TIMEOUT_MS },
  );
  const spawnError = result.error as NodeJS.ErrnoException | undefined;
  if (spawnError?.code === 'ENOENT' || result.status === COMMAND_NOT_FOUND) throw new Error(CFN_LINT_MISSING);
  if (spawnError !== undefined) throw new Error(`cfn-lint did not finish: ${spawnError.message}`);
  let parsed: CfnLintJsonFinding[];
  try {
    parsed = JSON.parse(result.stdout) as CfnLintJsonFinding[];
  } catch {
    // Not JSON: cfn-lint itself failed (a crash, a bad option); its exit code and stderr say why.
    throw new Error(`cfn-lint exited with ${result.status}: ${result.stderr.trim() || result.stdout.trim()}`);
  }
  return parsed.map((finding) => ({
    level: finding.Level,
    rule: finding.Rule.Id,
    message: finding.Message,
    file: path.basename(finding.Filename ?? '(configuration)'),
    ...(finding.Location?.Start?.LineNumber === undefined ? {} : { line: finding.Location.Start.LineNumber }),
  }));
};

/** `Warning W3005 orderflow-dev-pipeline.template.json:503 <message>`: one line a failing test can show. */
export const describeFinding = (finding: CfnLintFinding): string =>
  `${finding.level} ${finding.rule} ${finding.file}${finding.line === undefined ? '' : `:${finding.line}`} ${finding.message}`;

/**
 * The rule ids .cfnlintrc.yaml ignores, each with the comment written right above it (its reason),
 * read as text: the file is a flat list and the check needs no YAML parser for it.
 */
export const ignoredRules = (
  configFile = CFN_LINT_CONFIG,
): { readonly id: string; readonly reason: string }[] => {
  const lines = readFileSync(configFile, 'utf8').split('\n');
  const start = lines.findIndex((line) => /^ignore_checks:\s*$/.test(line));
  if (start < 0) return [];
  const rules: { id: string; reason: string }[] = [];
  let comment: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break;
    const note = /^\s+#\s?(.*)$/.exec(line);
    const item = /^\s+-\s+([A-Z]\d+)\s*$/.exec(line);
    if (note) comment.push(note[1] ?? '');
    else if (item) {
      rules.push({ id: item[1] ?? '', reason: comment.join(' ').trim() });
      comment = [];
    }
  }
  return rules;
};
