import { type IntrinsicResolver, TopologyError } from '../cfn/intrinsics';
import { isJsonMap, type ResourceRef, resourcesOfType, type SynthesizedStack } from '../cfn/template';
import { originOf } from './origin';
import type { LocalStateMachine } from './types';

const definitionOf = (
  ref: ResourceRef,
  resolver: IntrinsicResolver,
  assets: ReadonlyMap<string, string>,
): { definition: string; source: string } => {
  const p = ref.resource.Properties ?? {};
  if (p.DefinitionString !== undefined) {
    return {
      definition: resolver.resolveString(p.DefinitionString, ref.stack, `${ref.logicalId}.DefinitionString`),
      source: 'DefinitionString',
    };
  }
  if (p.Definition !== undefined) {
    return { definition: JSON.stringify(resolver.resolve(p.Definition, ref.stack)), source: 'Definition' };
  }
  const location = p.DefinitionS3Location;
  if (isJsonMap(location) && typeof location.Key === 'string') {
    // DefinitionBody.fromFile: the ASL file is an asset of the assembly, named by its object key.
    const text = assets.get(location.Key);
    if (text === undefined) {
      throw new TopologyError(
        `${ref.stack.stackName}/${ref.logicalId}: asset ${location.Key} is not in the assembly`,
      );
    }
    return { definition: text, source: `asset ${location.Key}` };
  }
  throw new TopologyError(`${ref.stack.stackName}/${ref.logicalId}: the state machine has no definition`);
};

export const deriveStateMachines = (
  stacks: readonly SynthesizedStack[],
  resolver: IntrinsicResolver,
  assets: ReadonlyMap<string, string>,
): LocalStateMachine[] =>
  resourcesOfType(stacks, 'AWS::StepFunctions::StateMachine').map((ref) => {
    const p = ref.resource.Properties ?? {};
    const { definition, source } = definitionOf(ref, resolver, assets);
    const substitutions = isJsonMap(p.DefinitionSubstitutions)
      ? Object.fromEntries(
          Object.entries(p.DefinitionSubstitutions).map(([key, value]) => [
            key,
            resolver.resolveString(value, ref.stack, `${ref.logicalId} substitution ${key}`),
          ]),
        )
      : {};
    return {
      ...originOf(ref),
      name: resolver.physicalName(ref),
      arn: resolver.arn(ref),
      type: p.StateMachineType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
      definition,
      substitutions,
      definitionSource: source,
    };
  });
