/**
 * The limits of OrderPlaced v1 (re-exported by order-placed.ts, where the schema uses them). A module of
 * its own so the schema's fast path (order-fast-path.ts) shares them without importing the schema.
 */
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

/** The patterns of OrderPlaced v1's coded fields: the schema and its fast path test the same expressions. */
export const ORDER_PATTERNS = {
  sku: /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
  currency: /^[A-Z]{3}$/,
  country: /^[A-Z]{2}$/,
} as const;

/** The version of OrderPlaced this schema is (re-exported by order-placed.ts). */
export const ORDER_SCHEMA_VERSION = 1;

/** The schema's words for a totalCents that disagrees with the items (the fast paths give the same). */
export const totalsDisagree = (totalCents: number, computed: number): string =>
  `totalCents is ${totalCents} but the items add up to ${computed}`;

/** Text fields: trimmed, then 1 to this many characters. */
export const ORDER_TEXT_MAX_CHARS = { customerId: 128, paymentToken: 128, postalCode: 16 } as const;
