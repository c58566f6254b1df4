import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { systemClock } from '#shared/adapters/system-clock';
import { env, envOr } from '#shared/env';
import { makePowertools } from '#shared/powertools';
import { tracedDocumentClient } from '../clients';
import { instrumented } from '../run-step';
import {
  findOrdersNearRedriveLimit,
  type NearRedriveLimit,
  type NearRedriveLimitDeps,
} from './near-redrive-limit';

const powertools = makePowertools('attention-age');
const deps: NearRedriveLimitDeps = {
  documentClient: tracedDocumentClient(powertools),
  ordersTable: env('ORDERS_TABLE'),
  index: env('ORDERS_BY_STATUS_INDEX'),
  clock: systemClock,
  olderThanDays: Number(envOr('NEAR_REDRIVE_LIMIT_DAYS', '10')),
};

/**
 * Runs on a schedule (hourly): publishes how many orders have needed attention for 10 days or
 * more, 0 included, so the alarm on it always has data; names the oldest in a warning.
 */
export const handler = (_event: ScheduledEvent, context?: Context): Promise<NearRedriveLimit> =>
  instrumented(powertools, context, {}, async () => {
    const result = await findOrdersNearRedriveLimit(deps);
    // The literal name: test/infra/runbook.test.ts reads the metrics each function emits from its sources.
    powertools.metrics.addMetric('OrdersNearRedriveLimit', MetricUnit.Count, result.count);
    if (result.count > 0) {
      powertools.logger.warn('orders need attention for days: redrive them before the 14-day limit', {
        ...result,
      });
    }
    return result;
  });
