import { createHash } from 'node:crypto';
import * as z from './zod';

/**
 * OrderPlaced v1: the contract between ingest, process-order and the saga.
 * Every limit is a number written here once, because each one protects a hop downstream.
 */
export const ORDER_SCHEMA_VERSION = 1;
export const ORDER_EVENT_TYPE = 'OrderPlaced';

export const ORDER_LIMITS = {
  /** orderId is the SQS message group id and the Step Functions execution name, used as it is. */
  orderIdPattern: /^[A-Za-z0-9_-]{1,64}$/,
  /** One TransactWriteItems holds 100 actions: one per sku plus the reservation item. */
  maxDistinctSkus: 99,
  maxQuantityPerSku: 10_000,
  /** Lines before repeated skus are merged; bounds the work one record can cause. */
  maxItemLines: 1_000,
  /** 1,000,000.00 in any currency: large enough for any order, small enough that totals stay exact. */
  maxUnitPriceCents: 100_000_000,
  /**
   * A serialized record stays far below every hop: Step Functions input (256 KiB),
   * a DynamoDB item (400 KB) and one SendMessageBatch call (1 MiB for 10 entries).
   */
  maxRecordBytes: 64 * 1024,
  /** placedAt: `2026-11-20T09:15:00.123456789+01:00` is 35 characters. */
  maxPlacedAtChars: 40,
  /** JSON nesting of a record as written: an order needs 3 levels; the rest is bounded work for nothing. */
  maxNestingDepth: 32,
} as const;

const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));

export const OrderItemSchema = z.strictObject({
  sku: z
    .string()
    .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'sku must be 1-64 letters, digits, _ . or -')),
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
  customerId: text(128),
  currency: z.string().check(z.regex(/^[A-Z]{3}$/, 'currency must be an ISO 4217 code such as EUR')),
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
  payment: z.strictObject({ token: text(128) }),
  shipTo: z.strictObject({
    country: z
      .string()
      .check(z.regex(/^[A-Z]{2}$/, 'shipTo.country must be an ISO 3166-1 alpha-2 code such as DE')),
    postalCode: text(16),
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
      message: `totalCents is ${order.totalCents} but the items add up to ${computed}`,
    });
  }
};

export const OrderPlacedSchema = z.pipe(
  OrderPlacedShape.check(z.superRefine(checkOrder)),
  z.transform((order: z.output<typeof OrderPlacedShape>) => ({ ...order, items: mergeItems(order.items) })),
);

export type OrderItem = z.infer<typeof OrderItemSchema>;
export type OrderPlaced = z.output<typeof OrderPlacedSchema>;
export type OrderPlacedInput = z.input<typeof OrderPlacedSchema>;

export type ValidationResult =
  | { readonly ok: true; readonly order: OrderPlaced; readonly canonical: string }
  | { readonly ok: false; readonly orderId?: string; readonly reasons: string[] };

const describePath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (acc, part) =>
      typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part),
    '',
  );

const orderIdOf = (value: unknown): string | undefined => {
  if (typeof value === 'object' && value !== null && 'orderId' in value) {
    const id = (value as { orderId: unknown }).orderId;
    if (typeof id === 'string' && id.length > 0) return id.slice(0, 128);
  }
  return undefined;
};

/**
 * The canonical form of a valid order: schema key order, merged items sorted by sku.
 * Equal orders give equal strings, so its hash is the deduplication id and the content hash.
 */
export const canonicalize = (order: OrderPlaced): string =>
  JSON.stringify({
    schemaVersion: order.schemaVersion,
    orderId: order.orderId,
    customerId: order.customerId,
    currency: order.currency,
    items: [...order.items]
      .sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0))
      .map((item) => ({ sku: item.sku, quantity: item.quantity, unitPriceCents: item.unitPriceCents })),
    totalCents: order.totalCents,
    payment: { token: order.payment.token },
    shipTo: { country: order.shipTo.country, postalCode: order.shipTo.postalCode },
    placedAt: order.placedAt,
  });

/** sha-256 of the canonical record, hex: an SQS deduplication id and the order's content hash. */
export const contentHash = (canonical: string): string =>
  createHash('sha256').update(canonical).digest('hex');

/** Validates one decoded record and returns every reason it is invalid, never only the first. */
export const validateOrder = (value: unknown): ValidationResult => {
  const parsed = OrderPlacedSchema.safeParse(value);
  if (!parsed.success) {
    const reasons = parsed.error.issues.map((issue) => {
      const where = describePath(issue.path);
      return where ? `${where}: ${issue.message}` : issue.message;
    });
    const orderId = orderIdOf(value);
    return orderId === undefined ? { ok: false, reasons } : { ok: false, orderId, reasons };
  }
  const canonical = canonicalize(parsed.data);
  const bytes = Buffer.byteLength(canonical, 'utf8');
  if (bytes > ORDER_LIMITS.maxRecordBytes) {
    return {
      ok: false,
      orderId: parsed.data.orderId,
      reasons: [`record is ${bytes} bytes serialized, more than the ${ORDER_LIMITS.maxRecordBytes} allowed`],
    };
  }
  return { ok: true, order: JSON.parse(canonical) as OrderPlaced, canonical };
};
