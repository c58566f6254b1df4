import { SfnApiError } from './errors';

export interface AccountScope {
  readonly region: string;
  readonly accountId: string;
}

export const stateMachineArnOf = (scope: AccountScope, name: string): string =>
  `arn:aws:states:${scope.region}:${scope.accountId}:stateMachine:${name}`;

export const executionArnOf = (
  scope: AccountScope,
  stateMachineName: string,
  executionName: string,
): string =>
  `arn:aws:states:${scope.region}:${scope.accountId}:execution:${stateMachineName}:${executionName}`;

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^:\s]+$/;
const EXECUTION_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:[^:\s]+:[^:\s]+$/;

export const assertStateMachineArn = (arn: string): void => {
  if (!STATE_MACHINE_ARN.test(arn)) throw new SfnApiError('InvalidArn', `Invalid Arn: '${arn}'`);
};

export const assertExecutionArn = (arn: string): void => {
  if (!EXECUTION_ARN.test(arn)) throw new SfnApiError('InvalidArn', `Invalid Arn: '${arn}'`);
};

// AWS: no white space, brackets, wildcards, these specials, or control characters.
// \p{Cc} is exactly U+0000–001F and U+007F–009F.
const FORBIDDEN_NAME_CHARACTERS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]/u;

/** Execution and state machine names: 1–80 characters without the characters AWS forbids. */
export const assertResourceName = (name: string): void => {
  if (name.length < 1 || name.length > 80) {
    throw new SfnApiError(
      'ValidationException',
      `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must have length between 1 and 80`,
    );
  }
  if (FORBIDDEN_NAME_CHARACTERS.test(name)) throw new SfnApiError('InvalidName', `Invalid Name: '${name}'`);
};
