import { ShipmentCancelled } from '#shared/errors/saga';
import type { Carrier, Clock, OrderRepository, Shipment } from '../ports';
import type { SagaInput } from '../saga-state';

export interface CreateShipmentDeps {
  readonly carrier: Carrier;
  readonly orders: OrderRepository;
  readonly clock: Clock;
}

/**
 * Books the shipment once per order. The orders item keeps the first shipment
 * (`attribute_not_exists(shipment)`), so a retried step returns it without asking the
 * carrier again; the carrier call itself is idempotent per orderId for the window between
 * the carrier's answer and that write. An order whose shipment CancelShipment cancelled is
 * never booked again (ShipmentCancelled): a late retry or redrive must not ship a cancelled order.
 */
export const createShipment = async (
  { order }: SagaInput,
  { carrier, orders, clock }: CreateShipmentDeps,
): Promise<Shipment> => {
  const current = await orders.get(order.orderId);
  if (current?.shipmentCancelledAt !== undefined) throw new ShipmentCancelled(order.orderId);
  const existing = current?.shipment;
  const booked =
    existing ??
    (await carrier.createShipment({
      idempotencyKey: order.orderId,
      orderId: order.orderId,
      shipTo: order.shipTo,
      items: order.items,
    }));
  const stored = existing ?? (await orders.attachShipment(order.orderId, booked, clock.now().toISOString()));
  await orders.transition(order.orderId, 'SHIPPED', clock.now().toISOString());
  return { trackingId: stored.trackingId, carrier: stored.carrier };
};
