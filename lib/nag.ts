import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * How cdk-nag writes a `Ref` inside an IAM5 resource finding: `<LogicalId>`. Acknowledgements name
 * the exact finding (`AwsSolutions-IAM5[Resource::...]`), so ids are derived from the same token the
 * policy uses instead of being copied from a synth log with a hash in them.
 */
export const nagRef = (scope: IConstruct, token: string): string => {
  const resolved = Stack.of(scope).resolve(token) as unknown;
  if (typeof resolved === 'object' && resolved !== null && 'Ref' in resolved) {
    return `<${String((resolved as { Ref: unknown }).Ref)}>`;
  }
  if (typeof resolved === 'string') return resolved;
  throw new Error(`cannot render ${JSON.stringify(resolved)} as a cdk-nag reference`);
};

export interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
}

export const acknowledge = (scope: IConstruct, ...acks: Acknowledgement[]): void => {
  for (const ack of acks) Validations.of(scope).acknowledge(ack);
};
