import type { Context } from 'aws-lambda';
import { DynamoOrderRepository } from '#shared/adapters/dynamo-order-repository';
import { systemClock } from '#shared/adapters/system-clock';
import type { SagaInput } from '#shared/domain/saga-state';
import { type AcceptOrderRequest, acceptOrder } from '#shared/domain/steps/accept-order';
import { env } from '#shared/env';
import { makePowertools } from '#shared/powertools';
import { tracedDocumentClient } from '../clients';
import { instrumented, keysOf } from '../run-step';

const powertools = makePowertools('accept-order');
const deps = {
  orders: new DynamoOrderRepository(tracedDocumentClient(powertools), env('ORDERS_TABLE')),
  clock: systemClock,
};

/** The task's payload as the state machine builds it; anything else is the execution input's problem. */
const requestOf = (event: unknown): AcceptOrderRequest => {
  const { input, executionArn, executionName } = (
    typeof event === 'object' && event !== null ? event : {}
  ) as {
    input?: unknown;
    executionArn?: unknown;
    executionName?: unknown;
  };
  return {
    input,
    executionArn: typeof executionArn === 'string' ? executionArn : '',
    executionName: typeof executionName === 'string' ? executionName : '',
  };
};

/** The order a pasted order or an envelope names, for the log keys, before anything is validated. */
const orderKeys = (input: unknown) => {
  const envelope = keysOf(input);
  if (envelope.orderId !== undefined) return envelope;
  const orderId = (input as { orderId?: unknown } | null)?.orderId;
  return typeof orderId === 'string' ? { orderId } : {};
};

/** AcceptOrder: payload `{input, executionArn, executionName}`; returns the saga state `{order, correlationId}`. */
export const handler = (event: unknown, context?: Context): Promise<SagaInput> => {
  const request = requestOf(event);
  return instrumented(powertools, context, orderKeys(request.input), () => acceptOrder(request, deps));
};
