import { InvalidSagaInput } from '#shared/errors/saga';
import type { Clock, OrderRepository } from '../ports';
import { parseSagaInput } from '../saga-input';
import type { SagaInput } from '../saga-state';

/** What the AcceptOrder task passes: the execution's input as it was given, and who the execution is. */
export interface AcceptOrderRequest {
  readonly input: unknown;
  readonly executionArn: string;
  readonly executionName: string;
}

export interface AcceptOrderDeps {
  readonly orders: OrderRepository;
  readonly clock: Clock;
}

/**
 * The saga's first step. It takes the execution input in either shape — process-order's
 * `{order, correlationId}` or the order itself, pasted into the console or `aws stepfunctions
 * start-execution` — and returns the state every later step reads. An input that is neither fails
 * here, before any step runs and with nothing to compensate, listing every problem
 * (InvalidSagaInput). The order is recorded the way process-order records it (RECEIVED with its
 * content hash, only if absent) and linked to this execution, so the same order arriving later
 * through S3 is a duplicate, another order under its id a conflict (ConflictingDuplicate), and a
 * second execution for an order that already has one is refused (SagaAlreadyStarted).
 * A hand-started execution's correlation id names where it came from: `execution:<name>`.
 */
export const acceptOrder = async (
  request: AcceptOrderRequest,
  { orders, clock }: AcceptOrderDeps,
): Promise<SagaInput> => {
  if (request.executionArn === '') {
    throw new InvalidSagaInput('AcceptOrder needs the execution ARN ($$.Execution.Id) in its payload');
  }
  const parsed = parseSagaInput(request.input);
  if (!parsed.ok) {
    throw new InvalidSagaInput(
      `the execution input is neither an OrderPlaced v1 order nor {"order": …, "correlationId": …}: ${parsed.reasons.join('; ')}`,
    );
  }
  const correlationId = parsed.correlationId ?? `execution:${request.executionName}`;
  await orders.receive(
    { order: parsed.order, contentHash: parsed.contentHash, correlationId },
    request.executionArn,
    clock.now().toISOString(),
  );
  return { order: parsed.order, correlationId };
};
