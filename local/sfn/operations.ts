import { randomUUID } from 'node:crypto';
import { assertResourceName, assertStateMachineArn } from './arns';
import type { JsonObject } from './definition';
import { SfnApiError } from './errors';
import { type Execution, MAX_PAYLOAD_BYTES } from './execution';
import type { ExecutionStore } from './executions';
import { toApiEvent } from './history';
import { pageOf } from './pagination';
import { optionalBoolean, optionalString, pageSize, requiredString } from './params';
import type { RegisteredStateMachine } from './state-machines';
import type { ExecutionStatus } from './types';

export type Operation = (body: JsonObject) => unknown;

/** Replaces a registered machine's definition for the executions started from now on. */
export type StateMachineUpdater = (stateMachineArn: string, definition: string) => void;

/** Timestamps travel as epoch seconds in the JSON protocol. */
const epochSeconds = (date: Date): number => date.getTime() / 1000;

const STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];

const assertInput = (input: string): void => {
  if (Buffer.byteLength(input) > MAX_PAYLOAD_BYTES) {
    throw new SfnApiError(
      'InvalidExecutionInput',
      `Input exceeds the maximum size of ${MAX_PAYLOAD_BYTES} bytes`,
    );
  }
  try {
    JSON.parse(input);
  } catch (error) {
    throw new SfnApiError(
      'InvalidExecutionInput',
      `Invalid State Machine Execution Input: '${(error as Error).message}'`,
    );
  }
};

const statusFilter = (body: JsonObject): ExecutionStatus | undefined => {
  const value = optionalString(body, 'statusFilter');
  if (value === undefined) return undefined;
  const status = STATUSES.find((candidate) => candidate === value);
  if (!status) {
    throw new SfnApiError(
      'ValidationException',
      `1 validation error detected: Value '${value}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [${STATUSES.join(', ')}]`,
    );
  }
  return status;
};

const REDRIVE_FILTERS = ['REDRIVEN', 'NOT_REDRIVEN'] as const;

/** ListExecutions' `redriveFilter`: true for REDRIVEN, false for NOT_REDRIVEN. */
const redriveFilter = (body: JsonObject): boolean | undefined => {
  const value = optionalString(body, 'redriveFilter');
  if (value === undefined) return undefined;
  if (!(REDRIVE_FILTERS as readonly string[]).includes(value)) {
    throw new SfnApiError(
      'ValidationException',
      `1 validation error detected: Value '${value}' at 'redriveFilter' failed to satisfy constraint: Member must satisfy enum value set: [${REDRIVE_FILTERS.join(', ')}]`,
    );
  }
  return value === 'REDRIVEN';
};

const executionListItem = (execution: Execution) => {
  const { executionArn, stateMachineArn, name, status, startDate, stopDate, redriveCount, redriveDate } =
    execution.describe();
  return {
    executionArn,
    stateMachineArn,
    name,
    status,
    startDate: epochSeconds(startDate),
    ...(stopDate ? { stopDate: epochSeconds(stopDate) } : {}),
    redriveCount,
    ...(redriveDate ? { redriveDate: epochSeconds(redriveDate) } : {}),
  };
};

const describeExecution = (execution: Execution) => {
  const { startDate, stopDate, output, redriveDate, ...rest } = execution.describe();
  return {
    ...rest,
    startDate: epochSeconds(startDate),
    ...(stopDate ? { stopDate: epochSeconds(stopDate) } : {}),
    ...(redriveDate ? { redriveDate: epochSeconds(redriveDate) } : {}),
    inputDetails: { included: true },
    ...(output === undefined ? {} : { output, outputDetails: { included: true } }),
  };
};

/** The Step Functions API subset the endpoint serves, by operation name. */
export const makeOperations = (
  machines: ReadonlyMap<string, RegisteredStateMachine>,
  executions: ExecutionStore,
  update: StateMachineUpdater,
  /** The endpoint's clock (ServerOptions.clock), for the dates it answers with. */
  clock: () => Date = () => new Date(),
): Readonly<Record<string, Operation>> => {
  const machineFor = (stateMachineArn: string): RegisteredStateMachine => {
    assertStateMachineArn(stateMachineArn);
    const machine = machines.get(stateMachineArn);
    if (!machine) {
      throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    }
    return machine;
  };

  return {
    StartExecution: (body) => {
      const machine = machineFor(requiredString(body, 'stateMachineArn'));
      const name = optionalString(body, 'name') ?? randomUUID();
      assertResourceName(name);
      const input = optionalString(body, 'input') ?? '{}';
      assertInput(input);
      const execution = executions.start(machine, name, input);
      return { executionArn: execution.executionArn, startDate: epochSeconds(execution.startDate) };
    },

    DescribeExecution: (body) => describeExecution(executions.get(requiredString(body, 'executionArn'))),

    StopExecution: (body) => {
      const stopDate = executions.stop(
        requiredString(body, 'executionArn'),
        optionalString(body, 'error'),
        optionalString(body, 'cause'),
      );
      return { stopDate: epochSeconds(stopDate) };
    },

    /**
     * Only FAILED, TIMED_OUT or ABORTED executions, within 14 days of their stop, under the same
     * ARN; ExecutionNotRedrivable otherwise. The same clientToken redrives once.
     */
    RedriveExecution: (body) => {
      const executionArn = requiredString(body, 'executionArn');
      const redriveDate = executions.redrive(executionArn, optionalString(body, 'clientToken'));
      return { redriveDate: epochSeconds(redriveDate) };
    },

    ListExecutions: (body) => {
      const machine = machineFor(requiredString(body, 'stateMachineArn'));
      const status = statusFilter(body);
      const redriven = redriveFilter(body);
      const all = executions.list(machine.arn, status, redriven);
      const scope = `executions:${machine.arn}:${status ?? ''}:${redriven ?? ''}`;
      const page = pageOf(
        all,
        (e) => e.executionArn,
        scope,
        pageSize(body),
        optionalString(body, 'nextToken'),
      );
      return {
        executions: page.items.map(executionListItem),
        ...(page.nextToken ? { nextToken: page.nextToken } : {}),
      };
    },

    GetExecutionHistory: (body) => {
      const execution = executions.get(requiredString(body, 'executionArn'));
      const reverse = optionalBoolean(body, 'reverseOrder') ?? false;
      const includeData = optionalBoolean(body, 'includeExecutionData') ?? true;
      const events = reverse ? [...execution.history.events].reverse() : [...execution.history.events];
      const scope = `history:${execution.executionArn}:${reverse}`;
      const page = pageOf(
        events,
        (e) => String(e.id),
        scope,
        pageSize(body),
        optionalString(body, 'nextToken'),
      );
      return {
        events: page.items.map((event) => toApiEvent(event, includeData)),
        ...(page.nextToken ? { nextToken: page.nextToken } : {}),
      };
    },

    /**
     * A new definition (roleArn and the rest are not emulated): executions started from now on run it;
     * executions started before keep theirs, and a redrive of them runs theirs, as in AWS.
     */
    UpdateStateMachine: (body) => {
      const machine = machineFor(requiredString(body, 'stateMachineArn'));
      const definition = optionalString(body, 'definition');
      if (definition !== undefined) update(machine.arn, definition);
      return { updateDate: epochSeconds(clock()) };
    },

    DescribeStateMachine: (body) => {
      const machine = machineFor(requiredString(body, 'stateMachineArn'));
      return {
        stateMachineArn: machine.arn,
        name: machine.name,
        status: 'ACTIVE',
        definition: machine.definition,
        roleArn: machine.roleArn,
        type: 'STANDARD',
        creationDate: epochSeconds(machine.creationDate),
        loggingConfiguration: { level: 'OFF', includeExecutionData: false },
        tracingConfiguration: { enabled: false },
      };
    },

    ListStateMachines: (body) => {
      const all = [...machines.values()];
      const page = pageOf(
        all,
        (m) => m.arn,
        'state-machines',
        pageSize(body),
        optionalString(body, 'nextToken'),
      );
      return {
        stateMachines: page.items.map((machine) => ({
          stateMachineArn: machine.arn,
          name: machine.name,
          type: 'STANDARD',
          creationDate: epochSeconds(machine.creationDate),
        })),
        ...(page.nextToken ? { nextToken: page.nextToken } : {}),
      };
    },
  };
};
