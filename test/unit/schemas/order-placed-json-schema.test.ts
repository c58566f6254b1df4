import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { validateOrder } from '#shared/schemas/order-placed';
import {
  ORDER_PLACED_JSON_SCHEMA_PATH,
  orderPlacedJsonSchema,
} from '#shared/schemas/order-placed-json-schema';
import { parseRecordText } from '#shared/schemas/record-text';
import { HOSTILE_CASES } from '../../fixtures/hostile/cases';
import { anOrder, manyOrders } from '../../helpers/orders';

const ROOT = join(__dirname, '..', '..', '..');
const published = JSON.parse(readFileSync(join(ROOT, ORDER_PLACED_JSON_SCHEMA_PATH), 'utf8')) as Record<
  string,
  unknown
>;

/** Rules a JSON Schema cannot state (README, "Dropping in orders"): only the ingest checks them. */
const BEYOND_JSON_SCHEMA = [
  /totalCents is \d+ but the items add up to \d+/,
  /appears with two unit prices/,
  /an order holds at most 99 distinct skus/,
  /totals \d+ units, more than/,
  /Too small: expected string to have >=1 characters/, // after trimming
];

/** Every record of the corpus's JSON files that is valid JSON, plus some valid orders. */
const corpusValues = (): { readonly where: string; readonly value: unknown }[] => {
  const files = join(ROOT, 'test/fixtures/hostile/files');
  const values: { where: string; value: unknown }[] = [];
  for (const name of readdirSync(files).filter((file) => /\.(jsonl|json)$/.test(file))) {
    const text = readFileSync(join(files, name), 'utf8');
    const records = name.endsWith('.json') ? arrayElements(text) : text.split('\n');
    for (const [index, record] of records.entries()) {
      const verdict = parseRecordText(record.replace(/^\uFEFF/, '').trim());
      if (verdict.ok) values.push({ where: `${name}:${index + 1}`, value: verdict.value });
    }
  }
  for (const hostile of HOSTILE_CASES) {
    if (!hostile.generate || !/\.jsonl$/.test(hostile.key ?? hostile.name)) continue;
    for (const [index, record] of hostile.generate().toString('utf8').split('\n').entries()) {
      const verdict = parseRecordText(record.trim());
      if (verdict.ok) values.push({ where: `${hostile.name}:${index + 1}`, value: verdict.value });
    }
  }
  for (const order of [...manyOrders(3, 'schema'), anOrder({ customerId: '   ' })]) {
    values.push({ where: `factory ${order.orderId}`, value: order });
  }
  return values;
};

/** The elements of a small JSON array file that is valid as a whole; else none. */
const arrayElements = (text: string): string[] => {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.map((element) => JSON.stringify(element)) : [];
  } catch {
    return [];
  }
};

describe('the published JSON Schema of OrderPlaced v1', () => {
  it(`is what the zod schema generates (run npm run schema and commit ${ORDER_PLACED_JSON_SCHEMA_PATH})`, () => {
    // Act
    const generated = orderPlacedJsonSchema();

    // Assert
    expect(published).toEqual(generated);
  });

  it('judges every record of the corpus as the ingest does, except for the rules it cannot express', () => {
    // Arrange
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats(ajv);
    const validate = ajv.compile(published);
    const values = corpusValues();

    // Act
    const verdicts = values.map(({ where, value }) => {
      const ingest = validateOrder(value);
      return { where, ingest, schema: validate(value) === true, schemaErrors: validate.errors };
    });

    // Assert
    const disagreements = verdicts.filter(
      ({ ingest, schema }) =>
        ingest.ok !== schema &&
        !(
          schema &&
          !ingest.ok &&
          ingest.reasons.every((reason) => BEYOND_JSON_SCHEMA.some((rule) => rule.test(reason)))
        ),
    );
    expect(disagreements).toEqual([]);
    expect(verdicts.filter(({ ingest }) => ingest.ok).length).toBeGreaterThanOrEqual(20);
    expect(verdicts.filter(({ ingest, schema }) => !ingest.ok && !schema).length).toBeGreaterThanOrEqual(20);
    // The exceptions are exercised, not just allowed.
    expect(verdicts.filter(({ ingest, schema }) => !ingest.ok && schema).length).toBeGreaterThanOrEqual(3);
  });
});
