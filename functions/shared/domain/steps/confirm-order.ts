import { OrderStatusConflict } from '#shared/errors/saga';
import type { Clock, Notifier, OrderRepository } from '../ports';
import type { ConfirmationSummary, SagaInput } from '../saga-state';

export interface ConfirmOrderDeps {
  readonly orders: OrderRepository;
  readonly notifier: Notifier;
  readonly clock: Clock;
}

export interface ConfirmOrderResult {
  readonly summary: ConfirmationSummary;
  /** Set when the notification could not be published; the order is COMPLETED regardless. */
  readonly notificationError?: unknown;
}

/**
 * Completes the order, then announces it. It announces only an order this step completed: the
 * transition wrote COMPLETED now, or an earlier attempt of this step did (one execution per
 * orderId, and only ConfirmOrder writes COMPLETED). That keeps the notification at-least-once
 * (a retry after a crash between the status write and the publish announces again, with the
 * first completion time) and never announces an order whose status says otherwise: a cancelled
 * or rejected order throws OrderStatusConflict and is left as it is. A failed publish never
 * fails the step: a paid, shipped order is complete whether or not SNS answered.
 */
export const confirmOrder = async (
  { order, correlationId }: SagaInput,
  { orders, notifier, clock }: ConfirmOrderDeps,
): Promise<ConfirmOrderResult> => {
  const now = clock.now().toISOString();
  const transition = await orders.transition(order.orderId, 'COMPLETED', now);
  if (transition.status !== 'COMPLETED') {
    throw new OrderStatusConflict(order.orderId, transition.status, 'COMPLETED');
  }
  const record = await orders.get(order.orderId);
  const shipment = record?.shipment;
  const completedAt = transition.changed
    ? now
    : (record?.history.findLast((entry) => entry.status === 'COMPLETED')?.at ?? now);
  try {
    await notifier.publish({
      eventType: 'OrderCompleted',
      orderId: order.orderId,
      customerId: order.customerId,
      totalCents: order.totalCents,
      currency: order.currency,
      ...(shipment ? { trackingId: shipment.trackingId } : {}),
      completedAt,
      correlationId,
    });
    return { summary: { status: 'COMPLETED', notified: true } };
  } catch (notificationError) {
    return { summary: { status: 'COMPLETED', notified: false }, notificationError };
  }
};
