/**
 * Generated order files for the local-runtime benches: valid orders only, the same for the same
 * count, with the outcome of each known from its own data and the seeded stock (README's payment
 * token and carrier tables).
 */

import { validateOrder } from '#shared/schemas/order-placed';
import type { StockLine } from '../cli/seed/seed';

export type Outcome = 'COMPLETED' | 'CANCELLED' | 'REJECTED';

interface Kind {
  readonly name: string;
  /** Orders of this kind per 100. */
  readonly per100: number;
  readonly outcome: Outcome;
  readonly token: string;
  readonly sku?: string;
  readonly shipTo?: { readonly country: string; readonly postalCode: string };
}

const SKUS = Array.from({ length: 20 }, (_, i) => `BENCH-SKU-${String(i + 1).padStart(2, '0')}`);
const SOLD_OUT = 'BENCH-SOLD-OUT';

/** The mix: most orders complete; every common way to end otherwise shows. */
const MIX: readonly Kind[] = [
  { name: 'complete', per100: 86, outcome: 'COMPLETED', token: 'tok_visa' },
  { name: 'gateway flaky, then charged', per100: 2, outcome: 'COMPLETED', token: 'tok_flaky' },
  { name: 'card declined', per100: 4, outcome: 'CANCELLED', token: 'tok_decline' },
  { name: 'insufficient funds', per100: 2, outcome: 'CANCELLED', token: 'tok_insufficient_funds' },
  {
    name: 'carrier does not deliver',
    per100: 3,
    outcome: 'CANCELLED',
    token: 'tok_visa',
    shipTo: { country: 'AQ', postalCode: '10001' },
  },
  { name: 'out of stock', per100: 3, outcome: 'REJECTED', token: 'tok_visa', sku: SOLD_OUT },
];

const kindOf = (n: number): Kind => {
  let slot = n % 100;
  for (const kind of MIX) {
    if (slot < kind.per100) return kind;
    slot -= kind.per100;
  }
  throw new Error('the mix does not add up to 100');
};

const pick = <T>(values: readonly T[], n: number): T => values[n % values.length] as T;

export interface GeneratedOrders {
  readonly orders: readonly unknown[];
  readonly stock: readonly StockLine[];
  /** Orders expected to end in each final status. */
  readonly expected: Readonly<Record<Outcome, number>>;
  readonly mix: readonly { readonly kind: string; readonly orders: number; readonly outcome: Outcome }[];
}

const order = (
  orderId: string,
  n: number,
  items: { sku: string; quantity: number; unitPriceCents: number }[],
  token: string,
  shipTo = { country: pick(['DE', 'FR', 'NL'], n), postalCode: pick(['10115', '75001', '1012'], n) },
) => {
  const value = {
    schemaVersion: 1,
    orderId,
    customerId: `cust-${(n * 7919) % 5000}`,
    currency: pick(['EUR', 'USD', 'GBP'], n),
    items,
    totalCents: items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0),
    payment: { token },
    shipTo,
    placedAt: `2026-11-${String(1 + (n % 28)).padStart(2, '0')}T${String(n % 24).padStart(2, '0')}:15:00Z`,
  };
  const validated = validateOrder(value);
  if (!validated.ok)
    throw new Error(`generated an invalid order ${orderId}: ${validated.reasons.join('; ')}`);
  return value;
};

/** `count` orders of 1–3 lines in the MIX, stock plenty for all but the sold-out sku. */
export const mixedOrders = (count: number, prefix = 'bench'): GeneratedOrders => {
  const orders: unknown[] = [];
  const expected: Record<Outcome, number> = { COMPLETED: 0, CANCELLED: 0, REJECTED: 0 };
  const byKind = new Map<string, number>();
  for (let n = 0; n < count; n += 1) {
    const kind = kindOf(n);
    const lines = 1 + (n % 3);
    const skus = [...new Set(Array.from({ length: lines }, (_, i) => pick(SKUS, n * 3 + i * 7)))];
    if (kind.sku) skus[0] = kind.sku;
    const items = skus.map((sku, i) => ({
      sku,
      quantity: 1 + ((n + i) % 3),
      unitPriceCents: 100 + ((n * 37 + i * 911) % 19_900),
    }));
    orders.push(order(`${prefix}-${String(n + 1).padStart(6, '0')}`, n, items, kind.token, kind.shipTo));
    expected[kind.outcome] += 1;
    byKind.set(kind.name, (byKind.get(kind.name) ?? 0) + 1);
  }
  return {
    orders,
    stock: [...SKUS.map((sku) => ({ sku, available: 1_000_000 })), { sku: SOLD_OUT, available: 0 }],
    expected,
    mix: MIX.map((kind) => ({ kind: kind.name, orders: byKind.get(kind.name) ?? 0, outcome: kind.outcome })),
  };
};

/**
 * A few orders that take every kind of the MIX once (two completing ones), under another prefix:
 * the calibration rounds of the end-to-end run (LocalRunInput.calibration).
 */
export const oneOfEachKind = (prefix: string): readonly unknown[] => {
  const all = mixedOrders(100, prefix).orders;
  return [0, 1, 86, 88, 92, 94, 97].map((n) => all[n]);
};

export const FLASH_SKU = 'FLASH-SALE-1';

/** `count` orders of one unit each of one sku, all paying with a card that works. */
export const flashSaleOrders = (count: number): readonly unknown[] =>
  Array.from({ length: count }, (_, n) =>
    order(
      `flash-${String(n + 1).padStart(6, '0')}`,
      n,
      [{ sku: FLASH_SKU, quantity: 1, unitPriceCents: 4999 }],
      'tok_visa',
    ),
  );
