import { ShipmentContradiction } from '#shared/errors/saga';
import type { Carrier, Clock, OrderRepository } from '../ports';
import type { SagaInput, ShipmentCancellationSummary } from '../saga-state';

export interface CancelShipmentDeps {
  readonly carrier: Carrier;
  readonly orders: OrderRepository;
  readonly clock: Clock;
}

/**
 * Undoes CreateShipment, whatever it got to: the carrier may have booked the parcel though the
 * step failed (the answer was lost, the task timed out after the carrier answered, storing the
 * shipment or the SHIPPED status failed). First the order's shipment is marked cancelled, so a
 * CreateShipment still running cannot attach a booking afterwards; then the carrier cancels the
 * order's booking by orderId (or, with none, refuses one later). Both are idempotent.
 * A carrier that has no booking while the order holds a tracking id contradicts our records:
 * that is not "nothing to cancel" but ShipmentContradiction, and the order needs attention.
 */
export const cancelShipment = async (
  { order }: SagaInput,
  { carrier, orders, clock }: CancelShipmentDeps,
): Promise<ShipmentCancellationSummary> => {
  const marked = await orders.cancelShipment(order.orderId, clock.now().toISOString());
  const cancellation = await carrier.cancel(order.orderId);
  if (cancellation.outcome === 'cancelled') {
    return { outcome: 'CANCELLED', trackingId: cancellation.trackingId };
  }
  if (marked.shipment !== undefined)
    throw new ShipmentContradiction(order.orderId, marked.shipment.trackingId);
  return { outcome: 'NOTHING_TO_CANCEL', trackingId: null };
};
