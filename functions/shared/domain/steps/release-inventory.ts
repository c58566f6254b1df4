import type { Clock, InventoryPort } from '../ports';
import type { ReleaseSummary, SagaInput } from '../saga-state';

export interface ReleaseInventoryDeps {
  readonly inventory: InventoryPort;
  readonly clock: Clock;
}

/** Gives back what the order reserved, once; nothing when it reserved nothing. */
export const releaseInventory = async (
  { order }: SagaInput,
  { inventory, clock }: ReleaseInventoryDeps,
): Promise<ReleaseSummary> => {
  const { outcome, lines } = await inventory.release(order.orderId, clock.now().toISOString());
  return { outcome, lines };
};
