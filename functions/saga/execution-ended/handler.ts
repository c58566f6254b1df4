import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { DynamoOrderRepository } from '#shared/adapters/dynamo-order-repository';
import { systemClock } from '#shared/adapters/system-clock';
import { type ExecutionEndedResult, recordExecutionEnded } from '#shared/domain/steps/execution-ended';
import { env } from '#shared/env';
import { makePowertools } from '#shared/powertools';
import * as z from '#shared/schemas/zod';
import { tracedDocumentClient } from '../clients';
import { instrumented } from '../run-step';

const powertools = makePowertools('execution-ended');
const deps = {
  orders: new DynamoOrderRepository(tracedDocumentClient(powertools), env('ORDERS_TABLE')),
  clock: systemClock,
};

/** The fields used from EventBridge's "Step Functions Execution Status Change" detail. */
const DetailSchema = z.looseObject({
  executionArn: z.string(),
  name: z.string().check(z.minLength(1)),
  status: z.string(),
  error: z.nullish(z.string()),
  cause: z.nullish(z.string()),
  input: z.nullish(z.string()),
});

/** The part of the event's detail this function reads; AWS sends more (dates, input, output). */
export interface ExecutionStatusChangeDetail {
  readonly executionArn: string;
  readonly name: string;
  readonly status: string;
  readonly error?: string | null;
  readonly cause?: string | null;
  /** The execution input (JSON text); null when it was too large for the event. */
  readonly input?: string | null;
}

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
    const detail = DetailSchema.parse(event.detail);
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
