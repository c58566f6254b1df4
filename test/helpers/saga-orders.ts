import { randomUUID } from 'node:crypto';
import type { SagaInput } from '#shared/domain/saga-state';
import { type OrderPlaced, type OrderPlacedInput, validateOrder } from '#shared/schemas/order-placed';

export interface OrderOptions {
  readonly orderId?: string;
  readonly items?: OrderPlacedInput['items'];
  readonly token?: string;
  readonly country?: string;
  readonly postalCode?: string;
  readonly currency?: string;
}

/** A unique, schema-valid order id (the execution name and message group id). */
export const newOrderId = (prefix = 'ord'): string => `${prefix}-${randomUUID().slice(0, 13)}`;

/** A valid canonical OrderPlaced; totals follow the items. Throws if the options make it invalid. */
export const buildOrder = (options: OrderOptions = {}): OrderPlaced => {
  const items = options.items ?? [
    { sku: 'SKU-A', quantity: 2, unitPriceCents: 1_250 },
    { sku: 'SKU-B', quantity: 1, unitPriceCents: 4_999 },
  ];
  const candidate: OrderPlacedInput = {
    schemaVersion: 1,
    orderId: options.orderId ?? newOrderId(),
    customerId: 'cust-42',
    currency: options.currency ?? 'EUR',
    items,
    totalCents: items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0),
    payment: { token: options.token ?? 'tok_visa' },
    shipTo: { country: options.country ?? 'DE', postalCode: options.postalCode ?? '10115' },
    placedAt: '2026-11-20T10:00:00Z',
  };
  const result = validateOrder(candidate);
  if (!result.ok) throw new Error(`test order is invalid: ${result.reasons.join('; ')}`);
  return result.order;
};

/** The saga's execution input for an order, as process-order starts it. */
export const sagaInput = (
  order: OrderPlaced,
  correlationId = `orders-bucket/incoming/test.jsonl#1`,
): SagaInput => ({
  order,
  correlationId,
});
