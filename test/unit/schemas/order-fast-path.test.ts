import fc from 'fast-check';
import { fastCheckOrder, fastParseOrder, PLACED_AT, TotalsDisagree } from '#shared/schemas/order-fast-path';
import { ORDER_LIMITS, validateOrder, validateOrderWithSchema } from '#shared/schemas/order-placed';
import { parseRecordText, parseRecordTextByScan } from '#shared/schemas/record-text';
import * as z from '#shared/schemas/zod';
import { hostileLines } from '../../helpers/hostile-lines';
import { nearMiss, orderOf, wrongValue } from '../../helpers/order-arbitraries';

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

  it("writes out zod's own pattern for placedAt, so the fast paths need not load zod", () => {
    const zods = z.regexes.datetime({ offset: true, local: false, precision: null });
    expect({ source: PLACED_AT.source, flags: PLACED_AT.flags }).toEqual({
      source: zods.source,
      flags: zods.flags,
    });
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
