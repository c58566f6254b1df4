import { executionEndedReason } from '../outcome-reason';
import type { Clock, OrderRepository } from '../ports';
import { parseSagaInput } from '../saga-input';

export interface ExecutionEnded {
  /** The execution name: the orderId for executions process-order starts, anything for one started by hand. */
  readonly name: string;
  readonly status: string;
  readonly executionArn?: string;
  readonly error?: string | null;
  readonly cause?: string | null;
  /** The execution input as the event carries it; null or absent when it was too large to include. */
  readonly input?: string | null;
}

/** The Fail state AcceptOrder ends in when it refuses the input: nothing was reserved, charged or shipped. */
export const INPUT_REFUSED_ERROR = 'SagaInputRefused';

export interface ExecutionEndedDeps {
  readonly orders: OrderRepository;
  readonly clock: Clock;
}

/** Execution endings no Catch sees. SUCCEEDED and RUNNING need nothing. */
export const ATTENTION_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;

export type ExecutionEndedResult =
  | { readonly action: 'ignored'; readonly why: string }
  | { readonly action: 'marked'; readonly orderId: string; readonly reason: string }
  | { readonly action: 'kept'; readonly status: string; readonly reason: string };

/**
 * The order an execution was for: from its input (the order itself or the envelope), or — when the
 * event could not carry the input — its name, which is the orderId for executions the pipeline starts.
 */
const orderIdOf = (ended: ExecutionEnded): string | undefined => {
  if (ended.input === undefined || ended.input === null) return ended.name;
  try {
    const parsed = parseSagaInput(JSON.parse(ended.input));
    return parsed.ok ? parsed.order.orderId : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Records an execution that ended without the saga writing an outcome (execution timeout,
 * StopExecution, a runtime error, a Fail state). An order still in flight may hold stock or
 * money, so it becomes NEEDS_ATTENTION with the reason. A final status already written by
 * the saga stays: COMPLETED is never downgraded, CANCELLED and REJECTED were written after
 * every compensation finished, and a NEEDS_ATTENTION keeps its first, more precise reason.
 * Left alone: an execution whose input AcceptOrder refused, or that names no order (nothing ran),
 * and one that is not the order's own saga (a second execution for it, refused at its start).
 */
export const recordExecutionEnded = async (
  ended: ExecutionEnded,
  { orders, clock }: ExecutionEndedDeps,
): Promise<ExecutionEndedResult> => {
  if (!(ATTENTION_STATUSES as readonly string[]).includes(ended.status)) {
    return { action: 'ignored', why: `status ${ended.status} needs no attention` };
  }
  if (ended.error === INPUT_REFUSED_ERROR) {
    return { action: 'ignored', why: 'the saga refused its input before any step ran: nothing is held' };
  }
  const orderId = orderIdOf(ended);
  if (orderId === undefined) {
    return { action: 'ignored', why: 'the execution input names no order: no step ran for one' };
  }
  if (ended.executionArn !== undefined) {
    const owner = (await orders.get(orderId))?.sagaExecutionArn;
    if (owner !== undefined && owner !== ended.executionArn) {
      return { action: 'ignored', why: `order ${orderId} belongs to another execution (${owner})` };
    }
  }
  const reason = executionEndedReason(ended.status, ended.error, ended.cause);
  const result = await orders.transition(
    orderId,
    'NEEDS_ATTENTION',
    clock.now().toISOString(),
    reason,
    `${ended.executionArn ?? ended.name}#execution-ended`,
  );
  return result.changed
    ? { action: 'marked', orderId, reason }
    : { action: 'kept', status: result.status, reason };
};
