import type { EventBridgeEvent } from 'aws-lambda';
import type { ExecutionStatusChangeDetail } from '../../functions/saga/execution-ended/handler';
import { anOrder } from './orders';

/** The whole detail AWS sends, of which the handler reads a part. */
export type FullStatusChangeEvent = EventBridgeEvent<
  'Step Functions Execution Status Change',
  ExecutionStatusChangeDetail & Record<string, unknown>
>;

/** An EventBridge "Step Functions Execution Status Change" event as AWS sends it. */
export const executionStatusChange = (
  orderId: string,
  status: 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'SUCCEEDED' | 'RUNNING',
  failure: { error?: string | null; cause?: string | null } = {},
  input: string | null = JSON.stringify({ order: anOrder({ orderId }), correlationId: `test/${orderId}` }),
): FullStatusChangeEvent => {
  const stateMachineArn = 'arn:aws:states:us-east-1:123456789012:stateMachine:OrderSaga';
  const executionArn = `arn:aws:states:us-east-1:123456789012:execution:OrderSaga:${orderId}`;
  return {
    version: '0',
    id: `event-${orderId}-${status}`,
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: '123456789012',
    time: '2026-11-22T12:00:00Z',
    region: 'us-east-1',
    resources: [executionArn],
    detail: {
      executionArn,
      stateMachineArn,
      name: orderId,
      status,
      startDate: 1_795_000_000_000,
      stopDate: status === 'RUNNING' ? null : 1_795_000_060_000,
      input,
      output: null,
      error: failure.error ?? null,
      cause: failure.cause ?? null,
    },
  };
};
