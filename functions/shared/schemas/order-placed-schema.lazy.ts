import {
  ORDER_LIMITS,
  ORDER_PATTERNS,
  ORDER_SCHEMA_VERSION,
  ORDER_TEXT_MAX_CHARS,
  totalsDisagree,
} from './order-limits';
import type { OrderItem } from './order-placed';
import * as z from './zod';

/**
 * OrderPlaced v1 as a zod schema: the schema of record. Building it costs milliseconds of every cold
 * start, and the usual record never needs it (the fast paths answer for it, property-tested against
 * it), so order-placed.ts loads this module on first use, never at a function's start.
 */

const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));

export const OrderItemSchema = z.strictObject({
  sku: z.string().check(z.regex(ORDER_PATTERNS.sku, 'sku must be 1-64 letters, digits, _ . or -')),
  quantity: z.int().check(z.gte(1), z.lte(ORDER_LIMITS.maxQuantityPerSku)),
  unitPriceCents: z.int().check(z.gte(0), z.lte(ORDER_LIMITS.maxUnitPriceCents)),
});

/**
 * Objects are strict: a field the contract does not name is rejected, never dropped. Dropping it
 * would make data disappear silently (a misspelt `schemaVersion` would read as version 1).
 */
const OrderPlacedShape = z.strictObject({
  schemaVersion: z._default(z.literal(ORDER_SCHEMA_VERSION), ORDER_SCHEMA_VERSION),
  orderId: z.string().check(z.regex(ORDER_LIMITS.orderIdPattern, 'orderId must match ^[A-Za-z0-9_-]{1,64}$')),
  customerId: text(ORDER_TEXT_MAX_CHARS.customerId),
  currency: z
    .string()
    .check(z.regex(ORDER_PATTERNS.currency, 'currency must be an ISO 4217 code such as EUR')),
  items: z
    .array(OrderItemSchema)
    .check(
      z.minLength(1, 'an order needs at least one item'),
      z.maxLength(
        ORDER_LIMITS.maxItemLines,
        `an order holds at most ${ORDER_LIMITS.maxItemLines} item lines`,
      ),
    ),
  totalCents: z.int().check(z.gte(0)),
  payment: z.strictObject({ token: text(ORDER_TEXT_MAX_CHARS.paymentToken) }),
  shipTo: z.strictObject({
    country: z
      .string()
      .check(z.regex(ORDER_PATTERNS.country, 'shipTo.country must be an ISO 3166-1 alpha-2 code such as DE')),
    postalCode: text(ORDER_TEXT_MAX_CHARS.postalCode),
  }),
  // ISO 8601 allows any number of fraction digits; 40 characters hold nanoseconds and an offset.
  placedAt: z.iso.datetime({ offset: true }).check(z.maxLength(ORDER_LIMITS.maxPlacedAtChars)),
});

/** Repeated lines of one sku become one line, so no transaction touches an item twice. */
const mergeItems = (items: readonly OrderItem[]): OrderItem[] => {
  const bySku = new Map<string, OrderItem>();
  for (const item of items) {
    const seen = bySku.get(item.sku);
    bySku.set(item.sku, seen ? { ...seen, quantity: seen.quantity + item.quantity } : { ...item });
  }
  return [...bySku.values()];
};

const checkOrder = (order: z.output<typeof OrderPlacedShape>, ctx: z.core.$RefinementCtx): void => {
  const prices = new Map<string, number>();
  for (const [index, item] of order.items.entries()) {
    const price = prices.get(item.sku);
    if (price !== undefined && price !== item.unitPriceCents) {
      ctx.addIssue({
        code: 'custom',
        path: ['items', index, 'unitPriceCents'],
        message: `sku ${item.sku} appears with two unit prices (${price} and ${item.unitPriceCents})`,
      });
    }
    prices.set(item.sku, item.unitPriceCents);
  }
  const merged = mergeItems(order.items);
  if (merged.length > ORDER_LIMITS.maxDistinctSkus) {
    ctx.addIssue({
      code: 'custom',
      path: ['items'],
      message: `an order holds at most ${ORDER_LIMITS.maxDistinctSkus} distinct skus, got ${merged.length}`,
    });
  }
  for (const item of merged) {
    if (item.quantity > ORDER_LIMITS.maxQuantityPerSku) {
      ctx.addIssue({
        code: 'custom',
        path: ['items'],
        message: `sku ${item.sku} totals ${item.quantity} units, more than ${ORDER_LIMITS.maxQuantityPerSku}`,
      });
    }
  }
  const computed = order.items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
  if (computed !== order.totalCents) {
    ctx.addIssue({
      code: 'custom',
      path: ['totalCents'],
      message: totalsDisagree(order.totalCents, computed),
    });
  }
};

export const OrderPlacedSchema = z.pipe(
  OrderPlacedShape.check(z.superRefine(checkOrder)),
  z.transform((order: z.output<typeof OrderPlacedShape>) => ({ ...order, items: mergeItems(order.items) })),
);
