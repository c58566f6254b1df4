import fc from 'fast-check';
import { ORDER_PATTERNS } from '#shared/schemas/order-limits';
import { ORDER_LIMITS } from '#shared/schemas/order-placed';
import * as z from '#shared/schemas/zod';

/**
 * Generated orders for the property tests of what stands in for the zod schema (the fast paths): valid
 * orders in every form the schema tells apart, and near misses one step off valid, field by field.
 */

const surrounding = fc.constantFrom(
  '',
  ' ',
  '  ',
  '\t',
  '\n',
  '\r\n',
  '\u00a0',
  '\u2003',
  '\ufeff',
  '\u200b',
);
/** Each generator of a field: mostly valid values (so acceptance is tested too), sometimes a near miss. */
const mostly = <T>(valid: fc.Arbitrary<T>, nearMiss: fc.Arbitrary<T>): fc.Arbitrary<T> =>
  fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: nearMiss });

const anyText = (max: number) =>
  mostly(
    fc.oneof(
      fc.string({ minLength: 1, maxLength: 12 }).map((text) => `x${text}`),
      fc.string({ minLength: 1, maxLength: 12, unit: 'binary' }).map((text) => `x${text}`),
      fc.string({
        minLength: 1,
        maxLength: 6,
        unit: fc.constantFrom('"', '\\', '\u0000', '\u001f', '\ud800', 'é', '😀'),
      }),
      fc.constantFrom('x'.repeat(max), 'é'.repeat(max), '😀'.repeat(max)),
    ),
    fc.constantFrom('x'.repeat(max + 1), '😀'.repeat(max + 1), '', ' ', '\t\n', '\u2003'),
  );
const textField = (max: number) =>
  fc.tuple(surrounding, anyText(max), surrounding).map(([before, core, after]) => before + core + after);

const PLACED_AT_CASES = [
  '2026-11-20T09:15:00+01:00',
  '2026-11-20T09:15:00Z',
  '2026-11-20T09:15:00.123456789+01:00',
  '2026-11-20T09:15:00.1234567890123+01:00', // 41 characters
  '2024-02-29T00:00:00Z',
  '2026-02-29T00:00:00Z',
  '2026-02-30T00:00:00Z',
  '2026-11-20T09:15+01:00',
  '2026-11-20T09:15:00',
  '2026-11-20 09:15:00Z',
  '2026-11-20T24:00:00Z',
  '2026-11-20T09:15:00+0100',
  '2026-11-20t09:15:00z',
  ' 2026-11-20T09:15:00Z',
  '',
];
const placedAt = mostly(
  fc.stringMatching(z.regexes.datetime({ offset: true, local: false, precision: null })),
  fc.constantFrom(...PLACED_AT_CASES),
);

const skuOf = mostly(
  fc.oneof(
    fc.constantFrom('KB-MECH-87', 'CABLE-USBC-2M', 'A', 'a.b_c-d', 'Z9', 'a'.repeat(64)),
    fc.stringMatching(ORDER_PATTERNS.sku),
  ),
  fc.constantFrom('', '-A', '.A', 'A B', 'Ä', 'a'.repeat(65), 'A\n'),
);

interface Item {
  sku: unknown;
  quantity: unknown;
  unitPriceCents: unknown;
}

const itemOf = fc.record({
  sku: skuOf,
  quantity: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constantFrom(1, 9_999, 10_000)),
  unitPriceCents: fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.constantFrom(0, 99_999_999, 100_000_000)),
});

/** Lines of items; sometimes a line repeated (merged by the schema), at the same or another price. */
const itemsOf = fc
  .tuple(
    fc.array(itemOf, { minLength: 1, maxLength: 6 }),
    fc.option(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 10_000 }), fc.boolean())),
  )
  .map(([items, repeat]) => {
    if (repeat === null) return items;
    const [which, quantity, otherPrice] = repeat;
    const samePrice = !otherPrice || quantity % 4 !== 0;
    const original = items[which % items.length] as Item;
    const price = original.unitPriceCents as number;
    return [...items, { sku: original.sku, quantity, unitPriceCents: samePrice ? price : price + 1 }];
  });

const sumOf = (items: readonly Item[]): number =>
  items.reduce(
    (sum, item) =>
      sum +
      (typeof item.quantity === 'number' && typeof item.unitPriceCents === 'number'
        ? item.quantity * item.unitPriceCents
        : 0),
    0,
  );

/** Orders that are valid unless a generated text, sku or timestamp is one of the near misses. */
export const orderOf = fc
  .record({
    schemaVersion: fc.constantFrom<'absent' | 1>('absent', 1, 1),
    orderId: mostly(
      fc.oneof(fc.stringMatching(ORDER_LIMITS.orderIdPattern), fc.constantFrom('ord-1', 'a'.repeat(64))),
      fc.constantFrom('a'.repeat(65), '', 'ord 1', 'ord/1', 'ördér'),
    ),
    customerId: textField(128),
    currency: mostly(
      fc.constantFrom('EUR', 'USD', 'JPY'),
      fc.constantFrom('eur', 'EU', 'EURO', 'E1R', ' EUR'),
    ),
    items: itemsOf,
    token: textField(128),
    country: mostly(fc.constantFrom('DE', 'FR', 'US'), fc.constantFrom('de', 'D', 'DEU', '')),
    postalCode: textField(16),
    placedAt,
  })
  .map(({ schemaVersion, token, country, postalCode, ...rest }) => ({
    ...(schemaVersion === 'absent' ? {} : { schemaVersion }),
    orderId: rest.orderId,
    customerId: rest.customerId,
    currency: rest.currency,
    items: rest.items,
    totalCents: sumOf(rest.items),
    payment: { token },
    shipTo: { country, postalCode },
    placedAt: rest.placedAt,
  }));

/** Values of the wrong kind, and numbers at the edges of what the schema tells apart. */
const WRONG = [
  null,
  true,
  false,
  0,
  -0,
  -1,
  1,
  1.5,
  2 ** 53,
  Number.POSITIVE_INFINITY,
  Number.NaN,
  '',
  ' ',
  '1',
  'EUR',
  [],
  [{}],
  {},
  { token: 'tok' },
  'x'.repeat(129),
];
export const wrongValue = fc.oneof(fc.constantFrom(...WRONG), fc.integer({ min: -5, max: 100_000_001 }));

type Mutable = Record<string, unknown>;

/** One step off: a field replaced, removed or added at any level of a generated order. */
export const nearMiss = fc
  .tuple(
    orderOf,
    fc.nat(),
    fc.constantFrom('replace', 'remove', 'add', 'total', 'items'),
    wrongValue,
    fc.nat(),
  )
  .map(([order, pick, how, wrong, n]) => {
    const copy = JSON.parse(JSON.stringify(order)) as Mutable;
    const items = copy.items as Mutable[];
    const holders: Mutable[] = [copy, copy.payment as Mutable, copy.shipTo as Mutable, ...items];
    const holder = holders[pick % holders.length] as Mutable;
    const keys = Object.keys(holder);
    const key = keys[n % keys.length] ?? 'orderId';
    switch (how) {
      case 'replace':
        holder[key] = wrong;
        break;
      case 'remove':
        delete holder[key];
        break;
      case 'add':
        // An own property, as JSON.parse makes it (assigning `__proto__` would set the prototype instead).
        Object.defineProperty(
          holder,
          ['giftWrap', '__proto__', 'constructor', 'schemaversion'][n % 4] ?? 'x',
          {
            value: wrong,
            enumerable: true,
            writable: true,
            configurable: true,
          },
        );
        break;
      case 'total':
        copy.totalCents = (copy.totalCents as number) + ((n % 3) - 1 || 1);
        break;
      case 'items':
        copy.items = [
          [],
          Array.from({ length: 1_001 }, () => items[0]),
          Array.from({ length: 100 }, (_, i) => ({ sku: `S-${i}`, quantity: 1, unitPriceCents: 1 })),
          [
            ...items,
            { sku: 'BIG', quantity: 10_000, unitPriceCents: 1 },
            { sku: 'BIG', quantity: 1, unitPriceCents: 1 },
          ],
        ][n % 4];
        if (n % 4 >= 2) copy.totalCents = sumOf(copy.items as Item[]);
        break;
    }
    return copy;
  });
