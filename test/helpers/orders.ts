import type { OrderPlacedInput } from '#shared/schemas/order-placed';

/** A valid order; totals follow the items unless the override sets them. */
export const anOrder = (overrides: Partial<OrderPlacedInput> = {}): OrderPlacedInput => {
  const items = overrides.items ?? [
    { sku: 'KB-MECH-87', quantity: 1, unitPriceCents: 8_999 },
    { sku: 'CABLE-USBC-2M', quantity: 2, unitPriceCents: 1_299 },
  ];
  return {
    schemaVersion: 1,
    orderId: 'ord-0001',
    customerId: 'cust-4711',
    currency: 'EUR',
    items,
    totalCents: items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0),
    payment: { token: 'tok_visa' },
    shipTo: { country: 'DE', postalCode: '10115' },
    placedAt: '2026-11-20T09:15:00+01:00',
    ...overrides,
  };
};

/** `count` valid orders with distinct ids `<prefix>-000001`… */
export const manyOrders = (count: number, prefix = 'ord'): OrderPlacedInput[] =>
  Array.from({ length: count }, (_, index) =>
    anOrder({ orderId: `${prefix}-${String(index + 1).padStart(6, '0')}` }),
  );

export const toJsonLines = (values: readonly unknown[]): string =>
  `${values.map((value) => (typeof value === 'string' ? value : JSON.stringify(value))).join('\n')}\n`;

/** CSV rows (one per item) with the ingest header. */
export const toCsv = (orders: readonly OrderPlacedInput[]): string => {
  const header =
    'order_id,customer_id,currency,sku,quantity,unit_price_cents,total_cents,payment_token,ship_country,ship_postal_code,placed_at';
  const rows = orders.flatMap((order) =>
    order.items.map((item) =>
      [
        order.orderId,
        order.customerId,
        order.currency,
        item.sku,
        item.quantity,
        item.unitPriceCents,
        order.totalCents,
        order.payment.token,
        order.shipTo.country,
        order.shipTo.postalCode,
        order.placedAt,
      ].join(','),
    ),
  );
  return `${[header, ...rows].join('\n')}\n`;
};
