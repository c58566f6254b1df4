import { outcomeReason } from '../outcome-reason';
import type { Clock, OrderRepository } from '../ports';
import type { OutcomeSummary, RecordOutcomeInput } from '../saga-state';

export interface RecordOutcomeDeps {
  readonly orders: OrderRepository;
  readonly clock: Clock;
}

/**
 * Writes the saga's final status (CANCELLED, REJECTED or NEEDS_ATTENTION) with its reason.
 * An order that already has a final status keeps it and its reason (`changed: false`).
 */
export const recordOutcome = async (
  input: RecordOutcomeInput,
  { orders, clock }: RecordOutcomeDeps,
): Promise<OutcomeSummary> => {
  const reason = outcomeReason(input);
  const result = await orders.transition(
    input.state.order.orderId,
    input.status,
    clock.now().toISOString(),
    reason,
    input.execution === undefined ? undefined : `${input.execution}#${input.status}`,
  );
  return { status: result.status, reason, changed: result.changed };
};
