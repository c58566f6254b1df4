import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { type AccountScope, assertResourceName, stateMachineArnOf } from './arns';
import { applySubstitutions, type JsonObject, parseDefinition } from './definition';
import {
  collectLambdaTasks,
  type FunctionResolver,
  type LambdaTask,
  makeFunctionResolver,
} from './lambda-tasks';
import type { TimeScale } from './time-scale';
import { prepareForInterpreter } from './time-scale';
import type { LocalStateMachine } from './types';

/** A state machine as the endpoint serves it: validated, substituted, time-scaled, tasks mapped. */
export interface RegisteredStateMachine {
  readonly name: string;
  readonly arn: string;
  /** The definition after substitution, as DescribeStateMachine returns it. */
  readonly definition: string;
  readonly roleArn: string;
  readonly creationDate: Date;
  readonly interpreter: StateMachine;
  /** The interpreter's (time-scaled) copy of the definition, from which a redrive builds its resumed run. */
  readonly interpreterDefinition: JsonObject;
  readonly tasks: readonly LambdaTask[];
  readonly resolveFunction: FunctionResolver;
  readonly waitTimeOverrides: Readonly<Record<string, number>>;
  readonly executionTimeoutMs?: number;
}

// parseDefinition checked the shape and aws-local-stepfunctions' validator (asl-validator) checks
// the rest before anything runs; the library's type is what its constructor expects.
const asAsl = (definition: JsonObject): StateMachineDefinition =>
  definition as unknown as StateMachineDefinition;

export const registerStateMachine = (
  spec: LocalStateMachine,
  scope: AccountScope,
  scale: TimeScale,
): RegisteredStateMachine => {
  try {
    assertResourceName(spec.name);
    const definition = applySubstitutions(spec.definition, spec.substitutions ?? {});
    const parsed = parseDefinition(definition);
    new StateMachine(asAsl(parsed), { validationOptions: { checkArn: true, checkPaths: true } });
    const resolveFunction = makeFunctionResolver(spec.lambdaHandlers);
    const tasks = collectLambdaTasks(parsed, resolveFunction, scale);
    const prepared = prepareForInterpreter(parsed, scale);
    return {
      name: spec.name,
      arn: stateMachineArnOf(scope, spec.name),
      definition,
      roleArn: spec.roleArn ?? `arn:aws:iam::${scope.accountId}:role/${spec.name}-role`,
      creationDate: new Date(),
      // Validated above; the scaled copy has fractional durations the validator would refuse.
      interpreter: new StateMachine(asAsl(prepared.definition), { validationOptions: { noValidate: true } }),
      interpreterDefinition: prepared.definition,
      tasks,
      resolveFunction,
      waitTimeOverrides: prepared.waitTimeOverrides,
      ...(prepared.executionTimeoutMs === undefined
        ? {}
        : { executionTimeoutMs: prepared.executionTimeoutMs }),
    };
  } catch (error) {
    throw new Error(`State machine "${spec.name}": ${(error as Error).message}`, { cause: error });
  }
};
