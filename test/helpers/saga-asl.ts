import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';

export interface AslValidation {
  readonly isValid: boolean;
  errorsText(separator?: string): string;
}

// asl-validator ships no type declarations; this is the one function it exports.
export const validateAsl = createRequire(__filename)('asl-validator') as (
  definition: unknown,
) => AslValidation;

export const SAGA_ASL_PATH = join(__dirname, '..', '..', 'statemachines', 'order-saga.asl.json');

/** The definition substitution keys of the task functions' ARNs. */
export const SAGA_FUNCTION_KEYS = [
  'AcceptOrderFunctionArn',
  'ReserveInventoryFunctionArn',
  'ChargePaymentFunctionArn',
  'CreateShipmentFunctionArn',
  'ConfirmOrderFunctionArn',
  'CancelShipmentFunctionArn',
  'RefundPaymentFunctionArn',
  'ReleaseInventoryFunctionArn',
  'RecordOutcomeFunctionArn',
] as const;

/** The Lambda invoke integration every Task uses, substituted so it carries the stack's partition. */
export const SAGA_LAMBDA_INVOKE_KEY = 'LambdaInvokeArn';

/** Every definition substitution key the CDK construct must provide. */
export const SAGA_SUBSTITUTION_KEYS = [...SAGA_FUNCTION_KEYS, SAGA_LAMBDA_INVOKE_KEY] as const;

/** The partition the tests and the local runtime run in (CloudFormation's AWS::Partition there). */
export const TEST_PARTITION = 'aws';

export const LAMBDA_INVOKE_ARN = `arn:${TEST_PARTITION}:states:::lambda:invoke`;

export const dummyFunctionArn = (key: string): string =>
  `arn:${TEST_PARTITION}:lambda:us-east-1:123456789012:function:${key.replace(/FunctionArn$/, '')}`;

/** The substitutions as the CDK provides them: a function ARN per task key, and the integration ARN. */
export const sagaSubstitutions = (
  arnFor: (key: string) => string = dummyFunctionArn,
): Record<string, string> => ({
  ...Object.fromEntries(SAGA_FUNCTION_KEYS.map((key) => [key, arnFor(key)])),
  [SAGA_LAMBDA_INVOKE_KEY]: LAMBDA_INVOKE_ARN,
});

export const readSagaAsl = (): string => readFileSync(SAGA_ASL_PATH, 'utf8');

/** The placeholders `${Name}` the file uses, in order of first appearance. */
export const placeholdersOf = (text: string): string[] => [
  ...new Set([...text.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((match) => match[1] ?? '')),
];

/** The definition with every placeholder replaced, as the CDK's definitionSubstitutions would. */
export const loadSagaDefinition = (
  arnFor: (key: string) => string = dummyFunctionArn,
): StateMachineDefinition => {
  const substitutions = sagaSubstitutions(arnFor);
  return JSON.parse(
    readSagaAsl().replace(/\$\{([A-Za-z0-9_]+)\}/g, (placeholder, key: string) => {
      const value = substitutions[key];
      if (value === undefined) throw new Error(`no substitution for ${placeholder}`);
      return value;
    }),
  );
};

type AnyState = { readonly Type: string; readonly Branches?: readonly { readonly States: object }[] };

/**
 * Every Task state with its name, including those inside Parallel branches (the compensations
 * that give back money and stock run side by side).
 */
export const sagaTaskStates = <T = AnyState>(definition: { readonly States: object }): [string, T][] =>
  Object.entries(definition.States as Record<string, AnyState>).flatMap(([name, state]): [string, T][] => [
    ...(state.Type === 'Task' ? [[name, state as T] as [string, T]] : []),
    ...(state.Branches ?? []).flatMap((branch) => sagaTaskStates<T>(branch)),
  ]);

export type FakeStep = (payload: unknown, call: number) => unknown | Promise<unknown>;

export interface FakeRun {
  /** The execution's output when it succeeded. */
  readonly output?: unknown;
  /** The execution's error name and cause when it failed. */
  readonly failure?: { readonly error: string; readonly cause: string };
  /** Task state names in the order they were invoked, retries included. */
  readonly calls: readonly string[];
  /** The payload each invocation received, keyed by state name. */
  readonly payloads: Readonly<Record<string, readonly unknown[]>>;
}

/** A Lambda function error as Step Functions reports it: Error = errorType, Cause = JSON. */
export const lambdaError = (name: string, message: string): Error => {
  const error = new Error(JSON.stringify({ errorType: name, errorMessage: message, trace: [] }));
  error.name = name;
  return error;
};

/**
 * Runs the saga in-process with aws-local-stepfunctions, every Task state answered by a fake
 * (keyed by state name). A fake returns the step's result or throws (use `lambdaError`).
 * States without a fake answer `defaults[state]`. Retry waits are zero.
 */
export const runSagaWithFakes = async (
  input: unknown,
  fakes: Readonly<Record<string, FakeStep>>,
  defaults: Readonly<Record<string, FakeStep>>,
): Promise<FakeRun> => {
  const definition = loadSagaDefinition();
  const taskStates = sagaTaskStates(definition).map(([name]) => name);
  const calls: string[] = [];
  const payloads: Record<string, unknown[]> = {};
  const handlers = Object.fromEntries(
    taskStates.map((name) => [
      name,
      async (request: unknown) => {
        const { Payload } = request as { Payload: unknown };
        calls.push(name);
        const seen = payloads[name] ?? [];
        seen.push(Payload);
        payloads[name] = seen;
        const fake = fakes[name] ?? defaults[name];
        if (!fake) throw new Error(`no fake for task state ${name}`);
        return { Payload: await fake(Payload, seen.length) };
      },
    ]),
  );
  const machine = new StateMachine(definition);
  const execution = machine.run(input as never, {
    // As Step Functions gives it: AcceptOrder links the order to this execution.
    context: {
      Execution: {
        Id: 'arn:aws:states:us-east-1:123456789012:execution:order-saga:fake-execution',
        Name: 'fake-execution',
        Input: input,
        StartTime: '2026-11-22T12:00:00.000Z',
      },
    } as never,
    overrides: {
      taskResourceLocalHandlers: handlers as never,
      retryIntervalOverrides: Object.fromEntries(taskStates.map((name) => [name, 0])),
    },
  });
  try {
    const output = await execution.result;
    return { output, calls, payloads };
  } catch (error) {
    const cause = (error as { cause?: { name?: string; message?: string } }).cause;
    return {
      failure: {
        error: cause?.name ?? (error as Error).name,
        cause: cause?.message ?? (error as Error).message,
      },
      calls,
      payloads,
    };
  }
};
