import fc from 'fast-check';
import { fastCheckOrder, fastParseOrder, TotalsDisagree } from '#shared/schemas/order-fast-path';
import { ORDER_PATTERNS } from '#shared/schemas/order-limits';
import { ORDER_LIMITS, validateOrder, validateOrderWithSchema } from '#shared/schemas/order-placed';
import { parseRecordText, parseRecordTextByScan } from '#shared/schemas/record-text';
import * as z from '#shared/schemas/zod';
import { hostileLines } from '../../helpers/hostile-lines';

/**
 * The fast paths against what they stand in for. validateOrder (fast path first, zod for anything it is
 * not certain of) must give exactly what the zod schema alone gives: the same verdict, output, canonical
 * string and reasons; and the fast path must accept exactly the records zod accepts. parseRecordText's
 * shortcut must give the verdicts of the full scan. Values are generated valid and one step off valid,
 * field by field, in every way the schema tells apart, and taken from the hostile-input corpus.
 */

const RUNS = 3_000;

const expectSameAsSchema = (value: unknown): void => {
  const reference = validateOrderWithSchema(value);
  expect(validateOrder(value)).toEqual(reference);
  // The fast path accepts what zod accepts, and nothing else (canonical size aside, checked after both).
  expect(fastParseOrder(value) !== undefined).toBe(reference.ok);
  if (reference.ok) expect(reference.canonical).toBe(JSON.stringify(reference.order));
};

// ---------- generators ----------

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
const orderOf = fc
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
const wrongValue = fc.oneof(fc.constantFrom(...WRONG), fc.integer({ min: -5, max: 100_000_001 }));

type Mutable = Record<string, unknown>;

/** One step off: a field replaced, removed or added at any level of a generated order. */
const nearMiss = fc
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

// ---------- the corpus ----------

/** The corpus's lines, a byte order mark at the start of a file removed (ingest's sniffing removes it). */
const corpusTexts = (): { readonly where: string; readonly text: string }[] =>
  hostileLines().map(({ where, text }) => ({ where, text: text.replace(/^\uFEFF/, '') }));

// ---------- the tests ----------

describe('validateOrder with its fast path', () => {
  it('matches the zod schema on generated orders, valid or not', () => {
    fc.assert(
      fc.property(orderOf, (order) => {
        expectSameAsSchema(order);
        expectSameAsSchema(JSON.parse(JSON.stringify(order)));
      }),
      { numRuns: RUNS },
    );
  });

  it('matches the zod schema on near misses: every field wrong in each way the schema tells apart', () => {
    let totalsOnly = 0;
    fc.assert(
      fc.property(nearMiss, (value) => {
        expectSameAsSchema(value);
        if (fastCheckOrder(value) instanceof TotalsDisagree) totalsOnly += 1;
      }),
      { numRuns: RUNS },
    );
    // The records the fast path rejects itself (a total off, all else valid) were among them.
    expect(totalsOnly).toBeGreaterThan(50);
  });

  it('matches the zod schema on values that are not orders at all', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), wrongValue), (value) => expectSameAsSchema(value)),
      { numRuns: 500 },
    );
  });

  it('takes the fast path for the usual valid order, and never for an invalid one', () => {
    // The property tests would pass with a fast path that accepted nothing: show it does its job.
    fc.assert(
      fc.property(orderOf, (order) => {
        expect(fastParseOrder(order) !== undefined).toBe(validateOrderWithSchema(order).ok);
      }),
      { numRuns: 200 },
    );
    // The generated orders are valid often enough for the properties above to test acceptance too.
    const valid = fc
      .sample(orderOf, { numRuns: 1_000, seed: 11 })
      .filter((order) => validateOrderWithSchema(order).ok);
    expect(valid.length).toBeGreaterThan(150);
    const usual = JSON.parse(
      '{"schemaVersion":1,"orderId":"ord-1","customerId":"c-1","currency":"EUR","items":[{"sku":"A","quantity":2,"unitPriceCents":150}],' +
        '"totalCents":300,"payment":{"token":"tok"},"shipTo":{"country":"DE","postalCode":"10115"},"placedAt":"2026-11-20T09:15:00Z"}',
    ) as unknown;
    expect(fastParseOrder(usual)).toBeDefined();
    expect(fastParseOrder({ ...(usual as object), totalCents: 301 })).toBeUndefined();
    // A total that disagrees with the items, and nothing else wrong: the fast path decides it without zod.
    const off = { ...(usual as object), totalCents: 301 };
    expect(fastCheckOrder(off)).toEqual(new TotalsDisagree('ord-1', 301, 300));
    expect(validateOrder(off)).toEqual({
      ok: false,
      orderId: 'ord-1',
      reasons: ['totalCents: totalCents is 301 but the items add up to 300'],
    });
    expect(validateOrder(off)).toEqual(validateOrderWithSchema(off));
    expect(fastCheckOrder({ ...(usual as object), totalCents: 301, currency: 'eur' })).toBeUndefined();
  });

  it('matches the zod schema on every record of the hostile-input corpus', () => {
    const texts = corpusTexts();
    let judged = 0;
    for (const { where, text } of texts) {
      const verdict = parseRecordText(text.trim(), 'line');
      expect({ where, verdict }).toEqual({ where, verdict: parseRecordTextByScan(text.trim(), 'line') });
      if (!verdict.ok) continue;
      judged += 1;
      expect({ where, result: validateOrder(verdict.value) }).toEqual({
        where,
        result: validateOrderWithSchema(verdict.value),
      });
    }
    expect(judged).toBeGreaterThan(20);
  });
});

// ---------- record text ----------

/** JSON text written by hand, so keys can repeat, escapes appear and nesting goes deep. */
const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string; object: string; array: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.jsonValue({ maxDepth: 1 }).map((value) => JSON.stringify(value) ?? 'null'),
    fc.constantFrom('"a:b"', '"\\u003a"', '"\\""', '"x\\\\"', '1e400', '-0', '"\\ud800"', '":"'),
    tie('object'),
    tie('array'),
  ),
  object: fc
    .array(
      fc.tuple(
        fc.constantFrom('"a"', '"b"', '"\\u0061"', '"a:"', '"__proto__"', '"orderId"', '":"', '"a\\\\"'),
        tie('value'),
      ),
      { maxLength: 4 },
    )
    .map((entries) => `{${entries.map(([key, value]) => `${key}:${value}`).join(',')}}`),
  array: fc.array(tie('value'), { maxLength: 3 }).map((values) => `[${values.join(',')}]`),
})).value;

const deep = fc
  .tuple(fc.integer({ min: 28, max: 40 }), fc.constantFrom('[', '{"a":'), jsonText)
  .map(([depth, open, inner]) => `${open.repeat(depth)}${inner}${(open === '[' ? ']' : '}').repeat(depth)}`);

const broken = fc
  .tuple(jsonText, fc.nat(), fc.constantFrom('', ':', '"', '\\', '}', ',', 'x'))
  .map(
    ([text, at, insert]) =>
      text.slice(0, at % (text.length + 1)) + insert + text.slice(at % (text.length + 1)),
  );

describe('parseRecordText', () => {
  it('gives the full scan its verdict on generated texts: repeated keys, escapes, colons, nesting, broken JSON', () => {
    fc.assert(
      fc.property(fc.oneof(jsonText, deep, broken), (text) => {
        expect(parseRecordText(text, 'line')).toEqual(parseRecordTextByScan(text, 'line'));
      }),
      { numRuns: RUNS },
    );
  });

  it('gives the full scan its verdict on records just inside and outside the size limit', () => {
    for (const filler of ['x', 'é', '😀']) {
      for (const slack of [-8, -1, 0, 1, 8]) {
        const room = ORDER_LIMITS.maxRecordBytes - Buffer.byteLength('{"a":""}') + slack;
        const text = `{"a":"${filler.repeat(Math.max(0, Math.floor(room / Buffer.byteLength(filler))))}"}`;
        expect(parseRecordText(text, 'line')).toEqual(parseRecordTextByScan(text, 'line'));
      }
    }
  });
});
