import type { LocalTopology } from './derive/types';
import type { Invoker } from './lambda/invoker';
import { type ExecutionStatusChangeEvent, type LocalStepFunctions, startLocalStepFunctions } from './sfn';
import type { RunningLimit } from './sfn/running-limit';

/**
 * Serves the topology's state machines on the local Step Functions endpoint, their Lambda tasks
 * run by the in-process functions: a task's remaining time is the earlier of the task timeout
 * (scaled) and the function's own timeout.
 */
export const startSaga = async (
  topology: LocalTopology,
  invoker: Invoker,
  options: {
    readonly timeScale: number;
    /** A scaled task timeout never drops below this. */
    readonly minTaskTimeoutSeconds?: number;
    /** Executions running their states at once; more wait for a slot. */
    readonly maxRunningExecutions?: number | RunningLimit;
    /** The endpoint's clock (LocalStepFunctionsOptions.clock). @default the system clock */
    readonly clock?: () => Date;
    readonly onStatusChange: (event: ExecutionStatusChangeEvent) => void;
    readonly report: (message: string) => void;
  },
): Promise<LocalStepFunctions> => {
  const lambdaHandlers = Object.fromEntries(
    invoker.functions.map((fn) => [
      fn.spec.arn,
      (payload: unknown, context: { getRemainingTimeInMillis(): number }) =>
        invoker.invoke(fn, payload, { deadline: Date.now() + context.getRemainingTimeInMillis() }),
    ]),
  );
  const sfn = await startLocalStepFunctions({
    host: '127.0.0.1',
    region: topology.region,
    accountId: topology.accountId,
    timeScale: options.timeScale,
    ...(options.minTaskTimeoutSeconds === undefined
      ? {}
      : { minTaskTimeoutSeconds: options.minTaskTimeoutSeconds }),
    ...(options.maxRunningExecutions === undefined
      ? {}
      : { maxRunningExecutions: options.maxRunningExecutions }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    stateMachines: topology.stateMachines.map((machine) => ({
      name: machine.name,
      definition: machine.definition,
      substitutions: machine.substitutions,
      lambdaHandlers,
    })),
    onExecutionStatusChange: options.onStatusChange,
    logger: { error: (message, ...details) => options.report(`${message} ${details.map(String).join(' ')}`) },
  });
  // The functions were given these ARNs (STATE_MACHINE_ARN) before the endpoint existed.
  const mismatch = topology.stateMachines.find(
    (machine) => sfn.stateMachineArn(machine.name) !== machine.arn,
  );
  if (mismatch) {
    await sfn.stop();
    throw new Error(
      `state machine ${mismatch.name} is served as ${sfn.stateMachineArn(mismatch.name)}, not ${mismatch.arn}`,
    );
  }
  return sfn;
};
