import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { DynamoOrderRepository } from '#shared/adapters/dynamo-order-repository';
import { systemClock } from '#shared/adapters/system-clock';
import { type ExecutionEndedResult, recordExecutionEnded } from '#shared/domain/steps/execution-ended';
import { env } from '#shared/env';
import { makePowertools } from '#shared/powertools';
import { tracedDocumentClient } from '../clients';
import { instrumented } from '../run-step';
import { type ExecutionStatusChangeDetail, parseDetail } from './detail';

export type { ExecutionStatusChangeDetail };

const powertools = makePowertools('execution-ended');
const deps = {
  orders: new DynamoOrderRepository(tracedDocumentClient(powertools), env('ORDERS_TABLE')),
  clock: systemClock,
};

export type ExecutionStatusChangeEvent = EventBridgeEvent<
  'Step Functions Execution Status Change',
  ExecutionStatusChangeDetail
>;

/**
 * Target of the EventBridge rule on the saga's FAILED / TIMED_OUT / ABORTED executions:
 * endings no Catch sees still leave the order NEEDS_ATTENTION with the reason. A malformed
 * event throws, so it goes to the function's retry and failure destination, never nowhere.
 */
export const handler = (
  event: ExecutionStatusChangeEvent,
  context?: Context,
): Promise<ExecutionEndedResult> => {
  const name = (event.detail as { name?: unknown } | undefined)?.name;
  return instrumented(powertools, context, typeof name === 'string' ? { orderId: name } : {}, async () => {
    const detail = parseDetail(event.detail);
    const result = await recordExecutionEnded(detail, deps);
    if (result.action === 'marked') {
      powertools.logger.error('saga execution ended without an outcome; order needs attention', {
        executionArn: detail.executionArn,
        reason: result.reason,
      });
      powertools.metrics.addMetadata('orderId', result.orderId);
      powertools.metrics.addMetric('OrdersNeedingAttention', MetricUnit.Count, 1);
    } else {
      powertools.logger.info('saga execution ended; order keeps its status', { result });
    }
    return result;
  });
};
