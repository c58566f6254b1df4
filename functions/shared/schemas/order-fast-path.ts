import { ORDER_LIMITS, ORDER_PATTERNS, ORDER_TEXT_MAX_CHARS } from './order-limits';
import type { OrderItem, OrderPlaced } from './order-placed';

/**
 * The fast path of OrderPlacedSchema: what the zod schema outputs for a value it is certain the schema
 * accepts, or `undefined` for anything else — invalid or merely unusual — which then goes through zod,
 * the schema of record, for its verdict and reasons. It only has to be right about "valid", with one
 * exception: a value the schema would accept but for totalCents, which disagrees with the items. Then
 * the schema's only issue is that disagreement, so fastCheckOrder says so (TotalsDisagree) and
 * validateOrder words zod's reason without running zod: the usual invalid record costs no more than a
 * valid one. test/unit/schemas/order-fast-path.test.ts checks with fast-check that validateOrder gives
 * the same answer, output and reasons with and without it.
 *
 * It takes only what JSON.parse makes: plain objects and arrays, nothing inherited or exotic.
 */

// Read once: the checks run for every record, and a property read per use adds up over a million records.
const MAX_ITEM_LINES = ORDER_LIMITS.maxItemLines;
const MAX_QUANTITY_PER_SKU = ORDER_LIMITS.maxQuantityPerSku;
const MAX_UNIT_PRICE_CENTS = ORDER_LIMITS.maxUnitPriceCents;
const MAX_DISTINCT_SKUS = ORDER_LIMITS.maxDistinctSkus;
const MAX_PLACED_AT_CHARS = ORDER_LIMITS.maxPlacedAtChars;
const ORDER_ID = ORDER_LIMITS.orderIdPattern;
const SKU = ORDER_PATTERNS.sku;
const CURRENCY = ORDER_PATTERNS.currency;
const COUNTRY = ORDER_PATTERNS.country;
const CUSTOMER_ID_CHARS = ORDER_TEXT_MAX_CHARS.customerId;
const PAYMENT_TOKEN_CHARS = ORDER_TEXT_MAX_CHARS.paymentToken;
const POSTAL_CODE_CHARS = ORDER_TEXT_MAX_CHARS.postalCode;

/**
 * The pattern z.iso.datetime({ offset: true }) builds (seconds required, any fraction, Z or an offset),
 * written out so that the fast paths never load zod; order-fast-path.test.ts checks it is zod's.
 */
export const PLACED_AT =
  /^(?:(?:\d\d[2468][048]|\d\d[13579][26]|\d\d0[48]|[02468][048]00|[13579][26]00)-02-29|\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|(?:02)-(?:0[1-9]|1\d|2[0-8])))T(?:(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|([+-](?:[01]\d|2[0-3]):[0-5]\d)))$/;

const ORDER_KEYS = new Set([
  'schemaVersion',
  'orderId',
  'customerId',
  'currency',
  'items',
  'totalCents',
  'payment',
  'shipTo',
  'placedAt',
]);
const ITEM_KEYS = new Set(['sku', 'quantity', 'unitPriceCents']);
const TOKEN_KEYS = new Set(['token']);
const SHIP_TO_KEYS = new Set(['country', 'postalCode']);

type Plain = Record<string, unknown>;

/** A plain object, as JSON.parse makes it: no class instance, nothing exotic. */
export const isPlain = (value: unknown): value is Plain =>
  typeof value === 'object' &&
  value !== null &&
  (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null);

/**
 * Keys exactly `count` of `known`: every field the shape names is there, and no other. for-in (no array
 * to allocate) also lists inherited enumerable keys; a plain object has none, and one that had would
 * only be handed to zod.
 */
const hasExactly = (value: Plain, known: ReadonlySet<string>, count: number): boolean => {
  let keys = 0;
  for (const key in value) {
    if (!known.has(key)) return false;
    keys += 1;
  }
  return keys === count;
};

/** Unicode code points, a lone surrogate counting as one: how zod measures a string's length. */
const codePoints = (text: string): number => {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
};

/** z.string().check(z.trim(), z.minLength(1), z.maxLength(max)): the trimmed text, if it passes. */
const text = (value: unknown, max: number): string | undefined => {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  const units = trimmed.length;
  // A code point is one or two UTF-16 units: only a text longer in units than allowed needs counting.
  return units >= 1 && (units <= max || codePoints(trimmed) <= max) ? trimmed : undefined;
};

/** z.int() within [min, max] (both inside the safe integers). */
const intWithin = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

const matches = (value: unknown, pattern: RegExp): value is string =>
  typeof value === 'string' && pattern.test(value);

/**
 * The item lines merged as the schema's transform merges them (a sku keeps the price and place of its
 * first line), then sorted by sku as in the canonical form. Linear search: an order has few lines.
 */
const parseItems = (value: unknown): OrderItem[] | undefined => {
  if (!Array.isArray(value) || value.length < 1 || value.length > MAX_ITEM_LINES) return undefined;
  const merged: OrderItem[] = [];
  for (const item of value as unknown[]) {
    if (!isPlain(item) || !hasExactly(item, ITEM_KEYS, 3)) return undefined;
    const { sku, quantity, unitPriceCents } = item;
    if (
      !matches(sku, SKU) ||
      !intWithin(quantity, 1, MAX_QUANTITY_PER_SKU) ||
      !intWithin(unitPriceCents, 0, MAX_UNIT_PRICE_CENTS)
    ) {
      return undefined;
    }
    let seen: OrderItem | undefined;
    for (const line of merged) {
      if (line.sku === sku) {
        seen = line;
        break;
      }
    }
    // `+ 0`: -0 is a valid price, and the canonical form writes (and reads back) 0.
    if (seen === undefined) merged.push({ sku, quantity, unitPriceCents: unitPriceCents + 0 });
    else if (seen.unitPriceCents !== unitPriceCents) return undefined;
    else seen.quantity += quantity;
    if (merged.length > MAX_DISTINCT_SKUS) return undefined;
  }
  for (const item of merged) if (item.quantity > MAX_QUANTITY_PER_SKU) return undefined;
  return merged.length === 1 ? merged : merged.sort(bySku);
};

const bySku = (a: OrderItem, b: OrderItem): number => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0);

/**
 * A value the schema accepts in every respect but one: its totalCents is not what its item lines add
 * up to. The schema's single issue is then the one OrderPlacedSchema words with these two numbers.
 */
export class TotalsDisagree {
  constructor(
    readonly orderId: string,
    readonly totalCents: number,
    readonly computed: number,
  ) {}
}

/**
 * OrderPlacedSchema's output for `value` when it is certainly valid, already in canonical form (items
 * sorted by sku, no -0); otherwise undefined (ask zod).
 */
export const fastParseOrder = (value: unknown): OrderPlaced | undefined => {
  const verdict = fastCheckOrder(value);
  return verdict instanceof TotalsDisagree ? undefined : verdict;
};

/**
 * fastParseOrder, and TotalsDisagree for a value that is valid but for its totalCents; undefined for
 * anything else (ask zod).
 */
export const fastCheckOrder = (value: unknown): OrderPlaced | TotalsDisagree | undefined => {
  if (!isPlain(value)) return undefined;
  const { schemaVersion } = value;
  if (schemaVersion !== undefined && schemaVersion !== 1) return undefined;
  if (!hasExactly(value, ORDER_KEYS, schemaVersion === undefined ? 8 : 9)) return undefined;
  const { orderId, currency, totalCents, placedAt, payment, shipTo } = value;
  const customerId = text(value.customerId, CUSTOMER_ID_CHARS);
  if (
    customerId === undefined ||
    !matches(orderId, ORDER_ID) ||
    !matches(currency, CURRENCY) ||
    !intWithin(totalCents, 0, Number.MAX_SAFE_INTEGER) ||
    typeof placedAt !== 'string' ||
    placedAt.length > MAX_PLACED_AT_CHARS ||
    !PLACED_AT.test(placedAt) ||
    !isPlain(payment) ||
    !hasExactly(payment, TOKEN_KEYS, 1) ||
    !isPlain(shipTo) ||
    !hasExactly(shipTo, SHIP_TO_KEYS, 2)
  ) {
    return undefined;
  }
  const token = text(payment.token, PAYMENT_TOKEN_CHARS);
  const postalCode = text(shipTo.postalCode, POSTAL_CODE_CHARS);
  const { country } = shipTo;
  if (token === undefined || postalCode === undefined || !matches(country, COUNTRY)) {
    return undefined;
  }
  const items = parseItems(value.items);
  if (items === undefined) return undefined;
  // The schema adds up the lines as written, in order: the same sum, the same floating point steps.
  let computed = 0;
  for (const item of value.items as readonly { quantity: number; unitPriceCents: number }[]) {
    computed += item.quantity * item.unitPriceCents;
  }
  if (computed !== totalCents) return new TotalsDisagree(orderId, totalCents, computed);
  return {
    schemaVersion: 1,
    orderId,
    customerId,
    currency,
    items,
    totalCents: totalCents + 0,
    payment: { token },
    shipTo: { country, postalCode },
    placedAt,
  };
};

/**
 * OrderPlacedSchema's output for a value it certainly accepts that is already in canonical form, as
 * every order the saga carries is (process-order starts it with the canonical record): items merged
 * and sorted by sku, no -0. For such a value fastParseOrder's result is exactly the schema's output;
 * the schema itself merges lines but keeps their order, and keeps -0. Anything else: undefined (ask
 * zod).
 */
export const fastParseCanonicalOrder = (value: unknown): OrderPlaced | undefined => {
  const order = fastParseOrder(value);
  if (order === undefined) return undefined;
  // fastParseOrder accepted it: a plain object with an order's fields and plain item lines.
  const input = value as Plain;
  const lines = input.items as readonly Plain[];
  // Text needs no look: the schema trims it as fastParseOrder does.
  if (lines.length !== order.items.length || !Object.is(input.totalCents, order.totalCents)) return undefined;
  // As many lines as merged lines: none was merged, so quantities are as written (and at least 1).
  for (const [index, item] of order.items.entries()) {
    const line = lines[index] as Plain;
    if (line.sku !== item.sku || !Object.is(line.unitPriceCents, item.unitPriceCents)) return undefined;
  }
  return order;
};
