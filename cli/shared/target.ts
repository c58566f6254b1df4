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
 * AWS_ENDPOINT_URL_* variables (none: real AWS). For a deployed stage, the file is what
 * `cdk deploy --all --outputs-file outputs.json` writes: `{ "<stack>": { "Key": "value" } }`.
 */
export const resolveTarget = (outputsFile: string | undefined): Target => {
  const file = outputsFile ?? process.env.ORDERFLOW_OUTPUTS;
  if (!file) {
    throw new TargetError(
      'no stack outputs: start `npm run orderflow -- local up` and export the variables it prints ' +
        '(ORDERFLOW_OUTPUTS among them), or pass --outputs <file> as written by `cdk deploy --all --outputs-file <file>`',
    );
  }
  let outputs: Record<string, string>;
  try {
    outputs = flattenOutputs(JSON.parse(readFileSync(file, 'utf8')));
  } catch (error) {
    throw new TargetError(`cannot read stack outputs from ${file}: ${(error as Error).message}`);
  }
  return { clients: makeCliClients(endpointsFromEnv()), names: namesFromOutputs(outputs) };
};

/**
 * Accepts both shapes: flat `{ "Key": "value" }` (local up) and per stack
 * `{ "<stack>": { "Key": "value" } }` (cdk's --outputs-file), merging the stacks' outputs.
 */
export const flattenOutputs = (parsed: unknown): Record<string, string> => {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('expected a JSON object of stack outputs');
  }
  const outputs: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value === 'string') outputs[key] = value;
    else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [nestedKey, nestedValue] of Object.entries(value)) {
        if (typeof nestedValue === 'string') outputs[nestedKey] = nestedValue;
      }
    }
  }
  return outputs;
};
