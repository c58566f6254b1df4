import { executionEndedReason } from '../outcome-reason';
import type { Clock, OrderRepository } from '../ports';

export interface ExecutionEnded {
  /** The execution name, which is the orderId. */
  readonly name: string;
  readonly status: string;
  readonly executionArn?: string;
  readonly error?: string | null;
  readonly cause?: string | null;
}

export interface ExecutionEndedDeps {
  readonly orders: OrderRepository;
  readonly clock: Clock;
}

/** Execution endings no Catch sees. SUCCEEDED and RUNNING need nothing. */
export const ATTENTION_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;

export type ExecutionEndedResult =
  | { readonly action: 'ignored'; readonly why: string }
  | { readonly action: 'marked'; readonly reason: string }
  | { readonly action: 'kept'; readonly status: string; readonly reason: string };

/**
 * Records an execution that ended without the saga writing an outcome (execution timeout,
 * StopExecution, a runtime error, a Fail state). An order still in flight may hold stock or
 * money, so it becomes NEEDS_ATTENTION with the reason. A final status already written by
 * the saga stays: COMPLETED is never downgraded, CANCELLED and REJECTED were written after
 * every compensation finished, and a NEEDS_ATTENTION keeps its first, more precise reason.
 */
export const recordExecutionEnded = async (
  ended: ExecutionEnded,
  { orders, clock }: ExecutionEndedDeps,
): Promise<ExecutionEndedResult> => {
  if (!(ATTENTION_STATUSES as readonly string[]).includes(ended.status)) {
    return { action: 'ignored', why: `status ${ended.status} needs no attention` };
  }
  const reason = executionEndedReason(ended.status, ended.error, ended.cause);
  const result = await orders.transition(ended.name, 'NEEDS_ATTENTION', clock.now().toISOString(), reason);
  return result.changed ? { action: 'marked', reason } : { action: 'kept', status: result.status, reason };
};
