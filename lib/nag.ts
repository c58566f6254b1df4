import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * How cdk-nag writes a reference inside an IAM5 resource finding: `Ref` as `<LogicalId>`, `Fn::GetAtt`
 * as `<LogicalId.Attribute>`. Acknowledgements name
 * the exact finding (`AwsSolutions-IAM5[Resource::...]`), so ids are derived from the same token the
 * policy uses instead of being copied from a synth log with a hash in them.
 */
export const nagRef = (scope: IConstruct, token: string): string => {
  const resolved = Stack.of(scope).resolve(token) as unknown;
  if (typeof resolved === 'object' && resolved !== null) {
    const { Ref: ref, 'Fn::GetAtt': getAtt } = resolved as { Ref?: unknown; 'Fn::GetAtt'?: unknown };
    if (typeof ref === 'string') return `<${ref}>`;
    if (Array.isArray(getAtt) && getAtt.length === 2) return `<${getAtt.join('.')}>`;
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
