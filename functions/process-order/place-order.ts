import type { SFNClient } from '@aws-sdk/client-sfn';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OrderPlaced } from '#shared/schemas/order-placed';
import { putReceivedOrder } from './orders-table';
import { executionArnFor, startSaga } from './saga-start';

export interface PlaceOrderConfig {
  readonly ordersTable: string;
  readonly stateMachineArn: string;
}

export interface PlaceOrderDeps {
  readonly documentClient: DynamoDBDocumentClient;
  readonly sfn: SFNClient;
  readonly config: PlaceOrderConfig;
  readonly clock: () => Date;
}

/** The idempotent unit of work; `orderId` keys it and `contentHash` validates a repeat. */
export interface PlaceOrderInput {
  readonly orderId: string;
  readonly contentHash: string;
  readonly canonical: string;
  readonly order: OrderPlaced;
  readonly correlationId: string;
}

/**
 * What happened, stored as the idempotency record's response.
 * `started`: this call started the saga. `already-started`: an earlier delivery had.
 * `already-processed`: the order item shows the saga has moved it on, so no start was attempted.
 */
export interface PlaceOrderResult {
  readonly orderId: string;
  readonly outcome: 'started' | 'already-started' | 'already-processed';
  readonly executionArn?: string;
}

/**
 * Puts the order (RECEIVED, linked to the execution named by its orderId) and starts that saga.
 * Every step is safe to repeat, so a retry after any partial failure completes the work without
 * doing any of it twice.
 */
export const placeOrder = async (input: PlaceOrderInput, deps: PlaceOrderDeps): Promise<PlaceOrderResult> => {
  const executionArn = executionArnFor(deps.config.stateMachineArn, input.orderId);
  const put = await putReceivedOrder(
    deps.documentClient,
    deps.config.ordersTable,
    input,
    deps.clock(),
    executionArn,
  );
  // A status past RECEIVED was written by the saga, so its execution exists or existed. Starting
  // again is at best a no-op and, once Step Functions has forgotten a closed execution, a second saga.
  if (put.kind === 'exists' && put.status !== 'RECEIVED') {
    return { orderId: input.orderId, outcome: 'already-processed' };
  }
  // An execution started by hand (under another name) owns the order: one saga per order.
  if (put.kind === 'exists' && put.sagaExecutionArn !== undefined && put.sagaExecutionArn !== executionArn) {
    return { orderId: input.orderId, outcome: 'already-started', executionArn: put.sagaExecutionArn };
  }
  const started = await startSaga(deps.sfn, {
    stateMachineArn: deps.config.stateMachineArn,
    orderId: input.orderId,
    contentHash: input.contentHash,
    canonical: input.canonical,
    correlationId: input.correlationId,
  });
  return { orderId: input.orderId, outcome: started.kind, executionArn: started.executionArn };
};
