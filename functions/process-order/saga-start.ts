import { DescribeExecutionCommand, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { parseSagaInput } from '#shared/domain/saga-input';
import { ConflictingDuplicate } from '#shared/errors/index';
import { UnverifiableExecution } from './errors';

export interface SagaStart {
  readonly stateMachineArn: string;
  readonly orderId: string;
  readonly contentHash: string;
  /** The order's canonical JSON. */
  readonly canonical: string;
  readonly correlationId: string;
}

export type StartOutcome = {
  readonly kind: 'started' | 'already-started';
  readonly executionArn: string;
};

/**
 * The execution input, built as a string so a retry of the same message sends byte for byte
 * the same input: Standard workflows treat a repeated name with an identical input as the same start.
 */
export const executionInput = (canonical: string, correlationId: string): string =>
  `{"order":${canonical},"correlationId":${JSON.stringify(correlationId)}}`;

/** `arn:<partition>:states:<region>:<account>:stateMachine:<name>` → the execution's ARN. */
export const executionArnFor = (stateMachineArn: string, executionName: string): string => {
  const parts = stateMachineArn.split(':');
  if (parts.length !== 7 || parts[2] !== 'states' || parts[5] !== 'stateMachine') {
    throw new Error(`not a state machine ARN: ${stateMachineArn}`);
  }
  return [...parts.slice(0, 5), 'execution', parts[6], executionName].join(':');
};

const isExecutionAlreadyExists = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ExecutionAlreadyExists';

/**
 * The content hash of the order an execution was started with, or a reason it has none. The input
 * is either shape a saga takes (the envelope process-order sends, or the order itself pasted by a
 * person). Only the order is compared: the same order ingested again from another file carries
 * another correlation id and is still the same order.
 */
const orderHashOf = (input: string | undefined): { hash: string } | { problem: string } => {
  if (input === undefined) return { problem: 'DescribeExecution returned no input' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    return { problem: 'its input is not JSON' };
  }
  const result = parseSagaInput(parsed);
  return result.ok ? { hash: result.contentHash } : { problem: 'its input holds no valid order' };
};

/**
 * Starts the saga named by the order id. A name that is taken counts as started only when
 * that execution carries the same order; anything else is a conflicting duplicate.
 */
export const startSaga = async (sfn: SFNClient, start: SagaStart): Promise<StartOutcome> => {
  try {
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: start.stateMachineArn,
        name: start.orderId,
        input: executionInput(start.canonical, start.correlationId),
      }),
    );
    return {
      kind: 'started',
      executionArn: executionArn ?? executionArnFor(start.stateMachineArn, start.orderId),
    };
  } catch (error) {
    if (!isExecutionAlreadyExists(error)) throw error;
  }
  const executionArn = executionArnFor(start.stateMachineArn, start.orderId);
  const existing = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  const found = orderHashOf(existing.input);
  if ('problem' in found) throw new UnverifiableExecution(start.orderId, found.problem);
  if (found.hash !== start.contentHash) throw new ConflictingDuplicate(start.orderId);
  return { kind: 'already-started', executionArn };
};
