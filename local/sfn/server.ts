import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listen } from '../listen';
import type { AccountScope } from './arns';
import { SfnApiError } from './errors';
import { ExecutionStore } from './executions';
import { makeOperations, type Operation, type StateMachineUpdater } from './operations';
import { readApiRequest, sendError, sendJson } from './protocol';
import { type RegisteredStateMachine, registerStateMachine } from './state-machines';
import { makeStatusNotifier } from './status-events';
import type {
  LocalStateMachine,
  LocalStepFunctions,
  LocalStepFunctionsLogger,
  LocalStepFunctionsOptions,
} from './types';

const handleRequest = async (
  operations: Readonly<Record<string, Operation>>,
  logger: LocalStepFunctionsLogger,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> => {
  try {
    const { operation, body } = await readApiRequest(request);
    const run = operations[operation];
    if (!run)
      throw new SfnApiError('UnknownOperationException', `Operation ${operation} is not served locally`);
    sendJson(response, 200, await run(body));
  } catch (error) {
    if (error instanceof SfnApiError) {
      sendError(response, error);
      return;
    }
    logger.error('local Step Functions: request failed', error);
    sendJson(response, 500, { __type: 'InternalFailure', message: (error as Error).message });
  }
};

const registerAll = (
  options: LocalStepFunctionsOptions,
  scope: AccountScope,
  timeScale: number,
): { machines: Map<string, RegisteredStateMachine>; update: StateMachineUpdater } => {
  const machines = new Map<string, RegisteredStateMachine>();
  const specs = new Map<string, LocalStateMachine>();
  const scale = { factor: timeScale, minTaskTimeoutMs: (options.minTaskTimeoutSeconds ?? 0) * 1000 };
  for (const spec of options.stateMachines) {
    const machine = registerStateMachine(spec, scope, scale);
    if (machines.has(machine.arn)) throw new Error(`State machine "${spec.name}" is registered twice`);
    machines.set(machine.arn, machine);
    specs.set(machine.arn, spec);
  }
  /**
   * UpdateStateMachine: later executions run the new definition (already substituted, as
   * DescribeStateMachine returns it); executions started before keep the one they started with, and
   * so does their redrive, as in AWS.
   */
  const update: StateMachineUpdater = (arn, definition) => {
    const spec = specs.get(arn);
    const current = machines.get(arn);
    if (!spec || !current) throw new Error(`no state machine ${arn}`);
    let next: RegisteredStateMachine;
    try {
      next = registerStateMachine({ ...spec, definition, substitutions: {} }, scope, scale);
    } catch (error) {
      throw new SfnApiError('InvalidDefinition', (error as Error).message);
    }
    machines.set(arn, { ...next, creationDate: current.creationDate });
  };
  return { machines, update };
};

/**
 * A Step Functions endpoint on this machine (AWS JSON 1.0: StartExecution, DescribeExecution,
 * StopExecution, RedriveExecution, ListExecutions, GetExecutionHistory, DescribeStateMachine, ListStateMachines,
 * UpdateStateMachine)
 * that runs the registered definitions with aws-local-stepfunctions and in-process Lambda handlers.
 */
export const startLocalStepFunctions = async (
  options: LocalStepFunctionsOptions,
): Promise<LocalStepFunctions> => {
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0)) throw new Error(`timeScale must be a positive number, got ${timeScale}`);
  const scope: AccountScope = {
    region: options.region ?? 'us-east-1',
    accountId: options.accountId ?? '000000000000',
  };
  const logger = options.logger ?? console;
  const { machines, update } = registerAll(options, scope, timeScale);
  const executions = new ExecutionStore(
    scope,
    makeStatusNotifier(options.onExecutionStatusChange, scope, logger),
    options.maxRunningExecutions,
    options.clock,
    options.maxHistoryEvents,
  );
  const operations = makeOperations(machines, executions, update, options.clock);

  const server = createServer((request, response) => {
    void handleRequest(operations, logger, request, response);
  });
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 0, host);
  const endpointHost = host.includes(':') ? `[${host}]` : host;

  return {
    endpoint: `http://${endpointHost}:${port}`,
    port,
    stateMachineArn: (name) => {
      const machine = [...machines.values()].find((candidate) => candidate.name === name);
      if (!machine) throw new Error(`No state machine named "${name}" is registered`);
      return machine.arn;
    },
    waitForExecution: async (executionArn) => {
      const execution = executions.get(executionArn);
      await execution.ended;
      return execution.describe();
    },
    stop: async () => {
      await executions.shutdown();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // SDK clients keep connections alive; without this, close() waits for them to time out.
      server.closeAllConnections();
      await closed;
    },
  };
};
