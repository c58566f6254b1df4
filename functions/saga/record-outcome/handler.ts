import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { DynamoOrderRepository } from '#shared/adapters/dynamo-order-repository';
import { systemClock } from '#shared/adapters/system-clock';
import { type OutcomeSummary, parseRecordOutcomeInput } from '#shared/domain/saga-state';
import { recordOutcome } from '#shared/domain/steps/record-outcome';
import { env } from '#shared/env';
import { makePowertools } from '#shared/powertools';
import { tracedDocumentClient } from '../clients';
import { instrumented, keysOf } from '../run-step';

const powertools = makePowertools('record-outcome');
const deps = {
  orders: new DynamoOrderRepository(tracedDocumentClient(powertools), env('ORDERS_TABLE')),
  clock: systemClock,
};

/**
 * RecordRejected / RecordCancelled / RecordNeedsAttention: payload `{status, state}` where
 * state is the whole saga state, from which the reason is written.
 */
export const handler = (event: unknown, context?: Context): Promise<OutcomeSummary> => {
  const state =
    typeof event === 'object' && event !== null ? (event as { state?: unknown }).state : undefined;
  return instrumented(powertools, context, keysOf(state), async () => {
    const input = parseRecordOutcomeInput(event);
    const outcome = await recordOutcome(input, deps);
    if (outcome.changed && outcome.status === 'NEEDS_ATTENTION') {
      powertools.logger.error('order needs attention', { reason: outcome.reason });
      // The order rides along as EMF metadata: the checker matches each flagged order to its data point.
      powertools.metrics.addMetadata('orderId', input.state.order.orderId);
      powertools.metrics.addMetric('OrdersNeedingAttention', MetricUnit.Count, 1);
    }
    return outcome;
  });
};
