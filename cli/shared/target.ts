import { readFileSync } from 'node:fs';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { StageName } from '../../lib/config';
import { stackNames } from '../../lib/contract';
import { type CliClients, type ClientBase, endpointsFromEnv, makeCliClients } from './clients';
import { CliFailure, EXIT, UsageError } from './errors';
import { namesFromOutputs, type PipelineNames } from './names';

export interface Target {
  readonly clients: CliClients;
  readonly names: PipelineNames;
  /** Where the names came from, for messages: `stage dev`, `outputs.json`, `the local runtime`. */
  readonly source?: string;
}

/** Says what to do when the CLI cannot tell which pipeline to talk to (exit code 2). */
export class TargetError extends UsageError {
  constructor(message: string) {
    super(message);
    this.name = 'TargetError';
  }
}

/** The options every command that talks to a pipeline takes (bin/orderflow.ts adds them once). */
export interface TargetOptions {
  readonly stage?: string;
  readonly stack?: readonly string[];
  readonly outputs?: string;
  readonly region?: string;
  readonly profile?: string;
}

const NO_TARGET =
  'no target: pass --stage <name> (or --stack <name>) for a deployed stage, or --outputs <file> as written by ' +
  '`cdk deploy --all --outputs-file <file>`; for the local runtime run `npx orderflow local up` and ' +
  '`source` the env.sh it prints (it sets ORDERFLOW_OUTPUTS)';

const readOutputsFile = (file: string): Record<string, string> => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TargetError(
      `cannot read stack outputs from ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  try {
    return flattenOutputs(JSON.parse(text));
  } catch (error) {
    throw new TargetError(`${file} is not a stack-outputs JSON file: ${(error as Error).message}`);
  }
};

/**
 * Outputs of deployed stacks, read with DescribeStacks and merged (the stateful stack holds the
 * bucket and tables, the pipeline stack the queues and the state machine). A missing stack is
 * CloudFormation's ValidationError: one line naming the stack and the region asked.
 */
export const describeStackOutputs = async (
  cloudformation: CloudFormationClient,
  stacks: readonly string[],
): Promise<Record<string, string>> => {
  const outputs: Record<string, string> = {};
  for (const stackName of stacks) {
    try {
      const { Stacks = [] } = await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
      for (const output of Stacks[0]?.Outputs ?? []) {
        if (output.OutputKey && output.OutputValue !== undefined)
          outputs[output.OutputKey] = output.OutputValue;
      }
    } catch (error) {
      if ((error as Error).name === 'ValidationError') {
        const region = await cloudformation.config.region();
        throw new CliFailure(
          `stack ${stackName} not found in ${region}: check --stage/--stack, --region and --profile (${(error as Error).message})`,
          EXIT.aws,
        );
      }
      throw error;
    }
  }
  return outputs;
};

const stacksFor = (options: TargetOptions): string[] => {
  if (options.stack && options.stack.length > 0) return [...options.stack];
  // Not checked against lib/config's STAGES here (that would load the CDK into every command): a
  // stage that was never deployed is a stack DescribeStacks does not find, which says so.
  const names = stackNames((options.stage ?? '') as StageName);
  return [names.stateful, names.pipeline];
};

/**
 * The pipeline a command works on, chosen once for every command, first match wins:
 * 1. `--stage <name>` or `--stack <name>` (repeatable): a deployed stage, its names read from the
 *    stacks' outputs with DescribeStacks, in `--region` with `--profile`'s credentials;
 * 2. `--outputs <file>`: a stack-outputs JSON file, flat (local up) or per stack (cdk's --outputs-file);
 * 3. $ORDERFLOW_OUTPUTS: what `orderflow local up` exports, with its AWS_ENDPOINT_URL.
 * Endpoints come from the standard AWS_ENDPOINT_URL_* variables, except for a deployed stage,
 * which is always AWS itself.
 */
export const resolveTarget = async (options: TargetOptions = {}): Promise<Target> => {
  const base: ClientBase = {
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
  };
  if ((options.stage || (options.stack && options.stack.length > 0)) && options.outputs) {
    throw new TargetError('--outputs and --stage/--stack both name a target: pass one');
  }
  if (options.stage || (options.stack && options.stack.length > 0)) {
    const stacks = stacksFor(options);
    const clients = makeCliClients({}, base);
    const cloudformation = new CloudFormationClient(clients.config);
    try {
      const outputs = await describeStackOutputs(cloudformation, stacks);
      return { clients, names: namesFrom(outputs, stacks.join(' + ')), source: stacks.join(' + ') };
    } catch (error) {
      clients.destroy();
      throw error;
    } finally {
      cloudformation.destroy();
    }
  }
  const file = options.outputs ?? process.env.ORDERFLOW_OUTPUTS;
  if (!file) throw new TargetError(NO_TARGET);
  const names = namesFrom(readOutputsFile(file), file);
  return { clients: makeCliClients(endpointsFromEnv(), base), names, source: file };
};

const namesFrom = (outputs: Readonly<Record<string, string>>, source: string): PipelineNames => {
  try {
    return namesFromOutputs(outputs);
  } catch (error) {
    throw new TargetError(`${source}: ${(error as Error).message}; is it an orderflow stack's outputs?`);
  }
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
