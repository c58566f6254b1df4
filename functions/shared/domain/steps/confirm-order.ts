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
 * Completes the order, then announces it. The notification is at-least-once (a retried
 * step publishes again, so a crash between the status write and the publish loses nothing)
 * and never fails the step: a paid, shipped order is complete whether or not SNS answered.
 */
export const confirmOrder = async (
  { order, correlationId }: SagaInput,
  { orders, notifier, clock }: ConfirmOrderDeps,
): Promise<ConfirmOrderResult> => {
  const completedAt = clock.now().toISOString();
  await orders.transition(order.orderId, 'COMPLETED', completedAt);
  const shipment = (await orders.get(order.orderId))?.shipment;
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
