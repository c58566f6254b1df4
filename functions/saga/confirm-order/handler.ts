import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { DynamoOrderRepository } from '#shared/adapters/dynamo-order-repository';
import { SnsNotifier } from '#shared/adapters/sns-notifier';
import { systemClock } from '#shared/adapters/system-clock';
import { makeSnsClient } from '#shared/aws/clients';
import type { ConfirmationSummary } from '#shared/domain/saga-state';
import { confirmOrder } from '#shared/domain/steps/confirm-order';
import { env } from '#shared/env';
import { makePowertools } from '#shared/powertools';
import { tracedDocumentClient } from '../clients';
import { runSagaStep } from '../run-step';

const powertools = makePowertools('confirm-order');
const deps = {
  orders: new DynamoOrderRepository(tracedDocumentClient(powertools), env('ORDERS_TABLE')),
  notifier: new SnsNotifier(
    powertools.tracer.captureAWSv3Client(makeSnsClient()),
    env('NOTIFICATIONS_TOPIC_ARN'),
  ),
  clock: systemClock,
};

/** ConfirmOrder: COMPLETED plus an "order completed" notification that never fails the step. */
export const handler = (event: unknown, context?: Context): Promise<ConfirmationSummary> =>
  runSagaStep(powertools, event, context, async (state) => {
    const { summary, notificationError } = await confirmOrder(state, deps);
    if (notificationError !== undefined) {
      powertools.logger.error('order completed but its notification was not published', {
        error: notificationError,
      });
      powertools.metrics.addMetric('NotificationFailed', MetricUnit.Count, 1);
    }
    return summary;
  });
