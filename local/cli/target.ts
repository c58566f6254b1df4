import { readFileSync } from 'node:fs';
import { type CliClients, endpointsFromEnv, makeCliClients } from './clients';
import { namesFromOutputs, type PipelineNames } from './names';

export interface Target {
  readonly clients: CliClients;
  readonly names: PipelineNames;
}

/** Says what to do when the CLI cannot tell which pipeline to talk to. */
export class TargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetError';
  }
}

/**
 * The pipeline a command works on: names from a stack-outputs JSON file (`--outputs`, or the
 * ORDERFLOW_OUTPUTS variable `orderflow local up` prints) and endpoints from the standard
 * AWS_ENDPOINT_URL_* variables (none: real AWS). Resolving a deployed stack's outputs with
 * CloudFormation DescribeStacks needs @aws-sdk/client-cloudformation, which is not a dependency yet.
 */
export const resolveTarget = (outputsFile: string | undefined): Target => {
  const file = outputsFile ?? process.env.ORDERFLOW_OUTPUTS;
  if (!file) {
    throw new TargetError(
      'no stack outputs: start `npm run orderflow -- local up` and export the variables it prints ' +
        '(ORDERFLOW_OUTPUTS among them), or pass --outputs <file> with the outputs of a deployed stack as {"Key": "value"}',
    );
  }
  let outputs: Record<string, string>;
  try {
    outputs = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch (error) {
    throw new TargetError(`cannot read stack outputs from ${file}: ${(error as Error).message}`);
  }
  return { clients: makeCliClients(endpointsFromEnv()), names: namesFromOutputs(outputs) };
};
