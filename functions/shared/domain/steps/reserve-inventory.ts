import { ReservationReleased } from '#shared/errors/saga';
import type { Clock, InventoryPort, OrderRepository } from '../ports';
import type { ReservationSummary, SagaInput } from '../saga-state';

export interface ReserveInventoryDeps {
  readonly inventory: InventoryPort;
  readonly orders: OrderRepository;
  readonly clock: Clock;
}

/**
 * Takes the order's stock. A second call for the same order returns the first reservation
 * and decrements nothing. A reservation that was released is never taken again: the saga
 * released it while undoing the order, so a late retry must not hold stock for it.
 */
export const reserveInventory = async (
  { order }: SagaInput,
  { inventory, orders, clock }: ReserveInventoryDeps,
): Promise<ReservationSummary> => {
  const lines = order.items.map(({ sku, quantity }) => ({ sku, quantity }));
  const { reservation } = await inventory.reserve(order.orderId, lines, clock.now().toISOString());
  if (reservation.status === 'RELEASED') throw new ReservationReleased(order.orderId);
  await orders.transition(order.orderId, 'RESERVED', clock.now().toISOString());
  return { status: 'RESERVED', lines: reservation.lines, reservedAt: reservation.reservedAt };
};
