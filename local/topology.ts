import { IntrinsicResolver, type LocalScope } from './cfn/intrinsics';
import type { SynthesizedStack } from './cfn/template';
import { deriveBuckets, deriveEventRules } from './derive/events';
import { deriveEventSourceMappings, deriveFunctions } from './derive/functions';
import { deriveQueues, deriveTables, deriveTopics } from './derive/resources';
import { deriveStateMachines } from './derive/state-machines';
import type { SynthesizedApp } from './derive/synth';
import type { LocalTopology } from './derive/types';

export type { LocalScope } from './cfn/intrinsics';
export { TopologyError } from './cfn/intrinsics';
export { type SynthesizedApp, type SynthOptions, synthesizeApp } from './derive/synth';
export type * from './derive/types';

/** Resource types the runtime plays (or resolves at derivation, like SSM parameters and permissions). */
const EMULATED = new Set([
  'AWS::S3::Bucket',
  'AWS::SQS::Queue',
  'AWS::SNS::Topic',
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::Lambda::Function',
  'AWS::Lambda::EventSourceMapping',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::Lambda::Permission',
  'AWS::StepFunctions::StateMachine',
  'AWS::Events::Rule',
  'AWS::SSM::Parameter',
  'Custom::S3BucketNotifications',
  'AWS::CDK::Metadata',
]);

const notEmulatedTypes = (stacks: readonly SynthesizedStack[]): string[] => {
  const counts = new Map<string, number>();
  for (const stack of stacks) {
    for (const resource of Object.values(stack.template.Resources ?? {})) {
      if (!EMULATED.has(resource.Type)) counts.set(resource.Type, (counts.get(resource.Type) ?? 0) + 1);
    }
  }
  return [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([type, n]) => `${type} ×${n}`);
};

const deriveOutputs = (stacks: readonly SynthesizedStack[], resolver: IntrinsicResolver) =>
  Object.fromEntries(
    stacks.map((stack) => {
      const values: Record<string, string> = {};
      for (const [key, output] of Object.entries(stack.template.Outputs ?? {})) {
        try {
          values[key] = resolver.resolveString(output.Value, stack, `output ${key}`);
        } catch {
          // Outputs of resources that have no local counterpart (a dashboard) have no local value.
        }
      }
      return [stack.stackName, values];
    }),
  );

/**
 * The local topology of a synthesized app: every bucket, queue, table, topic, function, event source
 * mapping, state machine and event rule, with references resolved to the local names, ARNs and URLs.
 * Pure: it reads only the templates (and assets) of `app`, so a change to the CDK is a change here.
 */
export const deriveTopology = (app: SynthesizedApp, scope: LocalScope): LocalTopology => {
  const { stacks } = app;
  const resolver = new IntrinsicResolver(stacks, scope);
  const { functions, withoutEntry } = deriveFunctions(stacks, resolver, app.assemblyDirectory);
  const { mappings, unsupported } = deriveEventSourceMappings(stacks, resolver, functions);
  const buckets = deriveBuckets(stacks, resolver);
  const eventRules = deriveEventRules(stacks, resolver);
  const notEmulated = [
    ...notEmulatedTypes(stacks),
    ...withoutEntry.map((id) => `function without a source entry (deploy-time only): ${id}`),
    ...unsupported.map((id) => `event source mapping from a non-SQS source: ${id}`),
    ...buckets.filter((b) => b.eventBridge).map((b) => `S3 → EventBridge notifications of ${b.name}`),
    ...eventRules.flatMap((rule) =>
      rule.targets.filter((t) => t.kind === 'other').map((t) => `rule ${rule.name} target ${t.arn}`),
    ),
  ];
  return {
    region: scope.region,
    accountId: scope.accountId,
    buckets,
    queues: deriveQueues(stacks, resolver),
    tables: deriveTables(stacks, resolver),
    topics: deriveTopics(stacks, resolver),
    functions,
    eventSourceMappings: mappings,
    stateMachines: deriveStateMachines(stacks, resolver, app.assets),
    eventRules,
    outputs: deriveOutputs(stacks, resolver),
    notEmulated,
  };
};
