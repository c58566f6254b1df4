import { PLACED_AT } from './order-fast-path';
import { ORDER_LIMITS, ORDER_PATTERNS, ORDER_TEXT_MAX_CHARS } from './order-limits';
import { totalsDisagreeReasons } from './order-placed';

/**
 * The order lane of a JSON Lines file: the usual line — ASCII, no backslash, one flat order of the
 * known shape — judged from its text, without JSON.parse and without the parsed object. JSON.parse
 * alone costs about half of what ingest may spend on a record, and the parsed object is only read
 * once, to be written out again as the canonical string; the lane takes that string from the line.
 *
 * Two tiers. A line laid out as the canonical form lays it out (the schema's key order, no
 * whitespace: what JSON.stringify writes for an order built in that order) is checked by one native
 * match (AS_WRITTEN) and a walk over its items; its canonical string is the line itself, or the line
 * with its items merged and sorted. Any other layout (keys in another order, whitespace, no
 * schemaVersion, text to trim) is read by a scan of the text, a character at a time, which writes
 * the canonical string from the slices it keeps.
 *
 * It may only ever give what the full path gives for the same text (parseRecordText, then
 * validateOrder): the same verdict, canonical string and orderId. Anything it is not certain of
 * (an escape, a character beyond printable ASCII, a key unknown, missing or repeated, a number that
 * is not a plainly written integer, nesting the order does not have, anything invalid but a total
 * that disagrees with the items) is DEFER, and the line takes the full path. test/unit/schemas/order-line.test.ts
 * checks that with fast-check against the full path, and that the usual valid line is not deferred.
 */
export type OrderLineVerdict =
  | { readonly ok: true; readonly orderId: string; readonly canonical: string }
  | { readonly ok: false; readonly orderId: string; readonly reasons: string[] };

/** The lane cannot tell: the line goes through parseRecordText and validateOrder. */
export const DEFER: unique symbol = Symbol('defer');

// Read once: every line is checked against them, and a property read per use adds up over a million lines.
const MAX_RECORD_BYTES = ORDER_LIMITS.maxRecordBytes;
const MAX_ITEM_LINES = ORDER_LIMITS.maxItemLines;
const MAX_DISTINCT_SKUS = ORDER_LIMITS.maxDistinctSkus;
const MAX_QUANTITY_PER_SKU = ORDER_LIMITS.maxQuantityPerSku;
const MAX_UNIT_PRICE_CENTS = ORDER_LIMITS.maxUnitPriceCents;
const MAX_PLACED_AT_CHARS = ORDER_LIMITS.maxPlacedAtChars;
const ORDER_ID = ORDER_LIMITS.orderIdPattern;
const SKU = ORDER_PATTERNS.sku;
const CURRENCY = ORDER_PATTERNS.currency;
const COUNTRY = ORDER_PATTERNS.country;
const CUSTOMER_ID_CHARS = ORDER_TEXT_MAX_CHARS.customerId;
const PAYMENT_TOKEN_CHARS = ORDER_TEXT_MAX_CHARS.paymentToken;
const POSTAL_CODE_CHARS = ORDER_TEXT_MAX_CHARS.postalCode;
/**
 * Digits of an integer the lane reads itself: 15 digits are below 2^53, so the number is exact and
 * prints as written. Longer ones (still valid up to Number.MAX_SAFE_INTEGER) are deferred.
 */
const MAX_DIGITS = 15;

const TAB = 0x09;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const COMMA = 0x2c;
const MINUS = 0x2d;
const ZERO = 0x30;
const ONE = 0x31;
const NINE = 0x39;
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const BACKSLASH = 0x5c;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const TILDE = 0x7e;

/** The order's keys as bits: a key seen twice, or one missing, shows in the mask. */
const SCHEMA_VERSION = 1;
const ORDER_ID_KEY = 2;
const CUSTOMER_ID = 4;
const CURRENCY_KEY = 8;
const ITEMS = 16;
const TOTAL_CENTS = 32;
const PAYMENT = 64;
const SHIP_TO = 128;
const PLACED_AT_KEY = 256;
/** Every key but schemaVersion, which defaults to 1. */
const REQUIRED = 0x1fe;

/**
 * The line being scanned and the position in it: module state, so the scan allocates nothing but the
 * slices it keeps. One line at a time; nothing here awaits.
 */
let src = '';
let at = 0;

/** The merged item lines of the line being scanned: first-seen order, as the schema merges them. */
const skus: string[] = [];
const quantities: number[] = [];
const prices: number[] = [];
let merged = 0;
/** The item lines' sum as the schema adds it: quantity × unit price, line by line, as written. */
let computed = 0;

/** JSON whitespace: space, tab, line feed, carriage return. */
const skipSpace = (): void => {
  for (;;) {
    const code = src.charCodeAt(at);
    if (code !== SPACE && code !== TAB && code !== LINE_FEED && code !== CARRIAGE_RETURN) return;
    at += 1;
  }
};

/**
 * The key at `at` and the colon after it: its length, with `at` on the value; -1 if there is none.
 * The key is the text up to the next quote, so a key written with an escape never equals a known one.
 */
let keyStart = 0;
const readKey = (): number => {
  if (src.charCodeAt(at) !== QUOTE) return -1;
  keyStart = at + 1;
  const close = src.indexOf('"', keyStart);
  if (close === -1) return -1;
  at = close + 1;
  skipSpace();
  if (src.charCodeAt(at) !== COLON) return -1;
  at += 1;
  skipSpace();
  return close - keyStart;
};

const keyIs = (length: number, key: string): boolean =>
  length === key.length && src.startsWith(key, keyStart);

/**
 * After a member: true when another follows (`,`), false at the object's end (`}`); undefined
 * for anything else.
 */
const nextMember = (): boolean | undefined => {
  skipSpace();
  const code = src.charCodeAt(at);
  at += 1;
  if (code === COMMA) {
    skipSpace();
    return true;
  }
  return code === CLOSE_BRACE ? false : undefined;
};

/**
 * A string matching `pattern`, which only allows characters JSON writes as they are (never a quote,
 * a backslash or a control character): the text between the quotes is then the value itself.
 */
const patterned = (pattern: RegExp): string | undefined => {
  if (src.charCodeAt(at) !== QUOTE) return undefined;
  const close = src.indexOf('"', at + 1);
  if (close === -1) return undefined;
  const value = src.slice(at + 1, close);
  at = close + 1;
  return pattern.test(value) ? value : undefined;
};

/**
 * A text field: z.string().check(z.trim(), z.minLength(1), z.maxLength(max)), the trimmed value.
 * Printable ASCII only (no escape): the value is then the text as written, the only whitespace
 * String.prototype.trim can find is the space, a character is a code point, and the canonical
 * string writes it as it is, in quotes.
 */
const text = (max: number): string | undefined => {
  if (src.charCodeAt(at) !== QUOTE) return undefined;
  let from = at + 1;
  let to = from;
  for (let code = src.charCodeAt(to); code !== QUOTE; code = src.charCodeAt(to)) {
    // Past the end charCodeAt gives NaN, which is not in the range either.
    if (!(code >= SPACE && code <= TILDE) || code === BACKSLASH) return undefined;
    to += 1;
  }
  at = to + 1;
  while (from < to && src.charCodeAt(from) === SPACE) from += 1;
  while (to > from && src.charCodeAt(to - 1) === SPACE) to -= 1;
  return to > from && to - from <= max ? src.slice(from, to) : undefined;
};

/**
 * An integer written plainly, `-?(0|[1-9][0-9]{0,14})`, as a number; -1 for a negative one or
 * anything else. `-0` reads as 0, the value the canonical form writes for it. A fraction, an exponent
 * or a leading zero stops the number early, and the check for what follows a value defers the line.
 */
const plainInteger = (): number => {
  let code = src.charCodeAt(at);
  const negative = code === MINUS;
  if (negative) {
    at += 1;
    code = src.charCodeAt(at);
  }
  if (code === ZERO) {
    at += 1;
    return 0;
  }
  if (!(code >= ONE && code <= NINE)) return -1;
  const first = at;
  let value = 0;
  do {
    value = value * 10 + (code - ZERO);
    at += 1;
    code = src.charCodeAt(at);
  } while (code >= ZERO && code <= NINE);
  return negative || at - first > MAX_DIGITS ? -1 : value;
};

/**
 * One item line, `{"sku":…,"quantity":…,"unitPriceCents":…}` in any key order, merged into the
 * lines before it as the schema merges them; false when the lane cannot vouch for it.
 */
const item = (): boolean => {
  if (src.charCodeAt(at) !== OPEN_BRACE) return false;
  at += 1;
  skipSpace();
  let sku: string | undefined;
  let quantity = -1;
  let price = -1;
  for (let more: boolean | undefined = true; more; ) {
    const length = readKey();
    if (keyIs(length, 'sku') && sku === undefined) {
      sku = patterned(SKU);
      if (sku === undefined) return false;
    } else if (keyIs(length, 'quantity') && quantity === -1) {
      quantity = plainInteger();
      if (quantity < 1 || quantity > MAX_QUANTITY_PER_SKU) return false;
    } else if (keyIs(length, 'unitPriceCents') && price === -1) {
      price = plainInteger();
      if (price < 0 || price > MAX_UNIT_PRICE_CENTS) return false;
    } else {
      return false;
    }
    more = nextMember();
    if (more === undefined) return false;
  }
  return sku !== undefined && quantity !== -1 && price !== -1 && addLine(sku, quantity, price);
};

/**
 * Adds an item line, each field valid on its own, to the merged lines as the schema merges them (a sku
 * keeps the price and place of its first line); false when the lane cannot vouch for the result.
 */
const addLine = (sku: string, quantity: number, price: number): boolean => {
  computed += quantity * price;
  let index = 0;
  while (index < merged && skus[index] !== sku) index += 1;
  if (index === merged) {
    if (merged === MAX_DISTINCT_SKUS) return false;
    skus[index] = sku;
    quantities[index] = quantity;
    prices[index] = price;
    merged += 1;
    return true;
  }
  // Two prices for one sku, or more units than one sku may have: the schema's reasons are zod's.
  const total = (quantities[index] ?? 0) + quantity;
  if (prices[index] !== price || total > MAX_QUANTITY_PER_SKU) return false;
  quantities[index] = total;
  return true;
};

/** The items array: 1 to ORDER_LIMITS.maxItemLines lines; false when the lane cannot vouch for it. */
const items = (): boolean => {
  if (src.charCodeAt(at) !== OPEN_BRACKET) return false;
  at += 1;
  skipSpace();
  merged = 0;
  computed = 0;
  for (let lines = 1; ; lines += 1) {
    if (lines > MAX_ITEM_LINES || !item()) return false;
    skipSpace();
    const code = src.charCodeAt(at);
    at += 1;
    if (code === CLOSE_BRACKET) return true;
    if (code !== COMMA) return false;
    skipSpace();
  }
};

/** The merged lines sorted by sku, as the canonical form writes them. Insertion sort: there are few. */
const canonicalItems = (): string => {
  for (let i = 1; i < merged; i += 1) {
    const sku = skus[i] ?? '';
    const quantity = quantities[i] ?? 0;
    const price = prices[i] ?? 0;
    let j = i - 1;
    for (; j >= 0 && (skus[j] ?? '') > sku; j -= 1) {
      skus[j + 1] = skus[j] ?? '';
      quantities[j + 1] = quantities[j] ?? 0;
      prices[j + 1] = prices[j] ?? 0;
    }
    skus[j + 1] = sku;
    quantities[j + 1] = quantity;
    prices[j + 1] = price;
  }
  let written = '';
  for (let i = 0; i < merged; i += 1) {
    written += `${i === 0 ? '' : ','}{"sku":"${skus[i]}","quantity":${quantities[i]},"unitPriceCents":${prices[i]}}`;
  }
  return written;
};

/** `{"token":…}`: the trimmed token, or undefined. */
const payment = (): string | undefined => {
  if (src.charCodeAt(at) !== OPEN_BRACE) return undefined;
  at += 1;
  skipSpace();
  if (!keyIs(readKey(), 'token')) return undefined;
  const token = text(PAYMENT_TOKEN_CHARS);
  return token !== undefined && nextMember() === false ? token : undefined;
};

/** `{"country":…,"postalCode":…}` in either order: `"country":"postalCode"` as written in the canonical string. */
const shipTo = (): string | undefined => {
  if (src.charCodeAt(at) !== OPEN_BRACE) return undefined;
  at += 1;
  skipSpace();
  let country: string | undefined;
  let postalCode: string | undefined;
  for (let more: boolean | undefined = true; more; ) {
    const length = readKey();
    if (keyIs(length, 'country') && country === undefined) {
      country = patterned(COUNTRY);
      if (country === undefined) return undefined;
    } else if (keyIs(length, 'postalCode') && postalCode === undefined) {
      postalCode = text(POSTAL_CODE_CHARS);
      if (postalCode === undefined) return undefined;
    } else {
      return undefined;
    }
    more = nextMember();
    if (more === undefined) return undefined;
  }
  return country === undefined || postalCode === undefined
    ? undefined
    : `{"country":"${country}","postalCode":"${postalCode}"}`;
};

/** The order's key at keyStart, as its bit; 0 for any other key. */
const orderKey = (length: number): number => {
  switch (length) {
    case 5:
      return keyIs(length, 'items') ? ITEMS : 0;
    case 6:
      return keyIs(length, 'shipTo') ? SHIP_TO : 0;
    case 7:
      return keyIs(length, 'orderId') ? ORDER_ID_KEY : keyIs(length, 'payment') ? PAYMENT : 0;
    case 8:
      return keyIs(length, 'currency') ? CURRENCY_KEY : keyIs(length, 'placedAt') ? PLACED_AT_KEY : 0;
    case 10:
      return keyIs(length, 'customerId') ? CUSTOMER_ID : keyIs(length, 'totalCents') ? TOTAL_CENTS : 0;
    case 13:
      return keyIs(length, 'schemaVersion') ? SCHEMA_VERSION : 0;
    default:
      return 0;
  }
};

const scanOrder = (): OrderLineVerdict | typeof DEFER => {
  skipSpace();
  if (src.charCodeAt(at) !== OPEN_BRACE) return DEFER;
  at += 1;
  skipSpace();
  let seen = 0;
  let orderId: string | undefined = '';
  let customerId: string | undefined = '';
  let currency: string | undefined = '';
  let totalCents = 0;
  let token: string | undefined = '';
  let address: string | undefined = '';
  let placedAt: string | undefined = '';
  for (let more: boolean | undefined = true; more; ) {
    const key = orderKey(readKey());
    if (key === 0 || (seen & key) !== 0) return DEFER;
    seen |= key;
    switch (key) {
      case SCHEMA_VERSION:
        // Only `1` as written; 1.0 or 1e0 (also 1) stop at the dot or the e, and are deferred.
        if (src.charCodeAt(at) !== ONE) return DEFER;
        at += 1;
        break;
      case ORDER_ID_KEY:
        orderId = patterned(ORDER_ID);
        if (orderId === undefined) return DEFER;
        break;
      case CUSTOMER_ID:
        customerId = text(CUSTOMER_ID_CHARS);
        if (customerId === undefined) return DEFER;
        break;
      case CURRENCY_KEY:
        currency = patterned(CURRENCY);
        if (currency === undefined) return DEFER;
        break;
      case ITEMS:
        if (!items()) return DEFER;
        break;
      case TOTAL_CENTS:
        totalCents = plainInteger();
        if (totalCents < 0) return DEFER;
        break;
      case PAYMENT:
        token = payment();
        if (token === undefined) return DEFER;
        break;
      case SHIP_TO:
        address = shipTo();
        if (address === undefined) return DEFER;
        break;
      default:
        placedAt = patterned(PLACED_AT);
        if (placedAt === undefined || placedAt.length > MAX_PLACED_AT_CHARS) return DEFER;
    }
    more = nextMember();
    if (more === undefined) return DEFER;
  }
  skipSpace();
  if (at !== src.length || (seen | SCHEMA_VERSION) !== (REQUIRED | SCHEMA_VERSION)) return DEFER;
  // All else valid: the schema's one issue is the total, worded as validateOrder words it.
  if (computed !== totalCents) {
    return { ok: false, orderId, reasons: totalsDisagreeReasons(totalCents, computed) };
  }
  const canonical =
    `{"schemaVersion":1,"orderId":"${orderId}","customerId":"${customerId}","currency":"${currency}",` +
    `"items":[${canonicalItems()}],"totalCents":${totalCents},"payment":{"token":"${token}"},` +
    `"shipTo":${address},"placedAt":"${placedAt}"}`;
  // A guard: within the schema's limits a canonical order stays near 12 kB (99 skus), far below it.
  return canonical.length > MAX_RECORD_BYTES ? DEFER : { ok: true, orderId, canonical };
};

const inner = (pattern: RegExp): string => pattern.source.slice(1, -1);
/** A text field's characters as the lane reads them: printable ASCII but `"` and `\\`. */
const TEXT = '[ !#-\\[\\]-~]*';
const ITEM = `\\{"sku":"${inner(SKU)}","quantity":[1-9][0-9]{0,4},"unitPriceCents":(?:0|[1-9][0-9]{0,8})\\}`;
/**
 * An order laid out the way JSON.stringify writes one built in the schema's key order, as producers
 * (and this project's tools) write them: no whitespace, schemaVersion 1, integers without a sign.
 * One native match (no captures: nothing to allocate) checks the layout and the coded fields; what
 * the pattern leaves open (number ranges, text lengths and trimming, placedAt, merging, the total)
 * asWritten checks, finding each field after the literal the pattern fixed before it.
 */
const AS_WRITTEN = new RegExp(
  `^\\{"schemaVersion":1,"orderId":"${inner(ORDER_ID)}","customerId":"${TEXT}","currency":"${inner(CURRENCY)}",` +
    `"items":\\[${ITEM}(?:,${ITEM})*\\],"totalCents":(?:0|[1-9][0-9]{0,14}),"payment":\\{"token":"${TEXT}"\\},` +
    `"shipTo":\\{"country":"${inner(COUNTRY)}","postalCode":"${TEXT}"\\},"placedAt":"[^"\\\\]{1,${MAX_PLACED_AT_CHARS}}"\\}$`,
);
/** The literal AS_WRITTEN puts before each field (a currency is 3 letters, a country 2), as a length. */
const ORDER_ID_AT = '{"schemaVersion":1,"orderId":"'.length;
const CUSTOMER_ID_AFTER = '","customerId":"'.length;
const ITEMS_AFTER = '","currency":"EUR","items":['.length;
const SKU_AFTER = '{"sku":"'.length;
const QUANTITY_AFTER = '","quantity":'.length;
const PRICE_AFTER = ',"unitPriceCents":'.length;
const TOTAL_AFTER = '],"totalCents":'.length;
const TOKEN_AFTER = ',"payment":{"token":"'.length;
const POSTAL_CODE_AFTER = '"},"shipTo":{"country":"DE","postalCode":"'.length;
const PLACED_AT_AFTER = '"},"placedAt":"'.length;
const PLACED_AT_BEFORE_END = '"}'.length;

/** A text field as written, `line.slice(from, to)`, is its value when it needs no trimming: no space at either end. */
const untrimmed = (line: string, from: number, to: number, max: number): boolean =>
  to > from && to - from <= max && line.charCodeAt(from) !== SPACE && line.charCodeAt(to - 1) !== SPACE;

/** Digits AS_WRITTEN has matched, from `from` up to the `stop` character, as a number. */
const digitsUpTo = (line: string, from: number, stop: number): number => {
  let value = 0;
  for (let index = from, code = line.charCodeAt(index); code !== stop; code = line.charCodeAt(index)) {
    value = value * 10 + (code - ZERO);
    index += 1;
  }
  return value;
};

/**
 * The verdict on a line AS_WRITTEN matches, when the checks the pattern leaves open pass; undefined
 * otherwise (the scan above then reads it, and defers what it cannot vouch for). When the items are
 * already sorted and distinct, the line is its own canonical string. No value holds a `"` (the
 * pattern allows none), so the next `"` ends each string.
 */
const asWritten = (line: string): OrderLineVerdict | undefined => {
  if (!AS_WRITTEN.test(line)) return undefined;
  const orderIdEnd = line.indexOf('"', ORDER_ID_AT);
  const customerIdAt = orderIdEnd + CUSTOMER_ID_AFTER;
  const customerIdEnd = line.indexOf('"', customerIdAt);
  if (!untrimmed(line, customerIdAt, customerIdEnd, CUSTOMER_ID_CHARS)) return undefined;
  const itemsAt = customerIdEnd + ITEMS_AFTER;
  merged = 0;
  computed = 0;
  let sorted = true;
  let previous = '';
  let lines = 0;
  let itemsEnd = itemsAt;
  for (let from = itemsAt; ; ) {
    const skuEnd = line.indexOf('"', from + SKU_AFTER);
    const sku = line.slice(from + SKU_AFTER, skuEnd);
    const quantityAt = skuEnd + QUANTITY_AFTER;
    const priceAt = line.indexOf(',', quantityAt) + PRICE_AFTER;
    const quantity = digitsUpTo(line, quantityAt, COMMA);
    const priceEnd = line.indexOf('}', priceAt);
    const price = digitsUpTo(line, priceAt, CLOSE_BRACE);
    lines += 1;
    if (
      lines > MAX_ITEM_LINES ||
      quantity > MAX_QUANTITY_PER_SKU ||
      price > MAX_UNIT_PRICE_CENTS ||
      !addLine(sku, quantity, price)
    ) {
      return undefined;
    }
    sorted &&= previous < sku;
    previous = sku;
    // After the `}`: a `,` and the next line, or the `]` that ends the items.
    if (line.charCodeAt(priceEnd + 1) === CLOSE_BRACKET) {
      itemsEnd = priceEnd + 1;
      break;
    }
    from = priceEnd + 2;
  }
  const totalAt = itemsEnd + TOTAL_AFTER;
  const tokenAt = line.indexOf(',', totalAt) + TOKEN_AFTER;
  const tokenEnd = line.indexOf('"', tokenAt);
  const postalCodeAt = tokenEnd + POSTAL_CODE_AFTER;
  const postalCodeEnd = line.indexOf('"', postalCodeAt);
  if (
    !untrimmed(line, tokenAt, tokenEnd, PAYMENT_TOKEN_CHARS) ||
    !untrimmed(line, postalCodeAt, postalCodeEnd, POSTAL_CODE_CHARS) ||
    !PLACED_AT.test(line.slice(postalCodeEnd + PLACED_AT_AFTER, line.length - PLACED_AT_BEFORE_END))
  ) {
    return undefined;
  }
  const orderId = line.slice(ORDER_ID_AT, orderIdEnd);
  const totalCents = digitsUpTo(line, totalAt, COMMA);
  if (computed !== totalCents) {
    return { ok: false, orderId, reasons: totalsDisagreeReasons(totalCents, computed) };
  }
  if (sorted) return { ok: true, orderId, canonical: line };
  const canonical = `${line.slice(0, itemsAt)}${canonicalItems()}${line.slice(itemsEnd)}`;
  // A guard, as in scanOrder: no canonical order comes near the limit.
  return canonical.length > MAX_RECORD_BYTES ? undefined : { ok: true, orderId, canonical };
};

/**
 * The verdict of the full path (parseRecordText, then validateOrder) on one line's text, without its
 * line ending, when the lane is certain of it; DEFER otherwise.
 */
export const scanOrderLine = (line: string): OrderLineVerdict | typeof DEFER => {
  // The full path rejects a longer text for its size: only printable ASCII is scanned, a byte a character.
  if (line.length > MAX_RECORD_BYTES) return DEFER;
  const verdict = asWritten(line) ?? scanFrom(line);
  // Neither the line nor its skus outlive the scan.
  src = '';
  for (let i = 0; i < merged; i += 1) skus[i] = '';
  return verdict;
};

const scanFrom = (line: string): OrderLineVerdict | typeof DEFER => {
  src = line;
  at = 0;
  return scanOrder();
};
