import type { OrderPlacedInput } from '#shared/schemas/order-placed';
import { parseCsv } from '../../../../functions/ingest/parsers/csv';
import { type Cursor, PARSER_LIMITS, UnreadableInput } from '../../../../functions/ingest/parsers/types';
import { anOrder, toCsv } from '../../../helpers/orders';
import { collect, textChunks } from '../../../helpers/streams';

const HEADER =
  'order_id,customer_id,currency,sku,quantity,unit_price_cents,total_cents,payment_token,ship_country,ship_postal_code,placed_at';

const row = (orderId: string, sku: string, overrides: Partial<Record<string, string>> = {}): string => {
  const fields = {
    order_id: orderId,
    customer_id: 'cust-1',
    currency: 'EUR',
    sku,
    quantity: '1',
    unit_price_cents: '500',
    total_cents: '1000',
    payment_token: 'tok_visa',
    ship_country: 'DE',
    ship_postal_code: '10115',
    placed_at: '2026-11-20T09:15:00+01:00',
    ...overrides,
  };
  return Object.values(fields).join(',');
};

const parse = (text: string, chunkSize = 11) => {
  const cursor: Cursor = { line: 0 };
  return { cursor, records: collect(parseCsv(textChunks(text, chunkSize), cursor)) };
};

describe('parseCsv', () => {
  it('groups the rows of each order into one order with its items', async () => {
    // Arrange
    const orders = [anOrder({ orderId: 'ord-1' }), anOrder({ orderId: 'ord-2', customerId: 'cust-2' })];

    // Act
    const records = await parse(toCsv(orders)).records;

    // Assert: CSV has no schemaVersion column; the schema defaults it.
    const withoutVersion = (order: OrderPlacedInput) => {
      const { schemaVersion: _absent, ...value } = order;
      return value;
    };
    expect(records).toEqual([
      { kind: 'value', line: 2, lines: [2, 3], value: withoutVersion(anOrder({ orderId: 'ord-1' })) },
      {
        kind: 'value',
        line: 4,
        lines: [4, 5],
        value: withoutVersion(anOrder({ orderId: 'ord-2', customerId: 'cust-2' })),
      },
    ]);
  });

  it('reads quoted fields with commas, doubled quotes and embedded newlines, and numbers lines from the row start', async () => {
    // Arrange
    const text = [
      HEADER,
      row('ord-1', 'A-1', { customer_id: '"Müller, ""Hans""\nFloor 2"', total_cents: '500' }),
      row('ord-2', 'B-1', { total_cents: '500' }),
    ].join('\n');

    // Act
    const records = await parse(text, 4).records;

    // Assert
    expect(records[0]).toMatchObject({
      kind: 'value',
      line: 2,
      value: { customerId: 'Müller, "Hans"\nFloor 2' },
    });
    expect(records[1]).toMatchObject({ kind: 'value', line: 4 });
  });

  it('reads CRLF files', async () => {
    // Arrange
    const text = `${HEADER}\r\n${row('ord-1', 'A-1')}\r\n${row('ord-1', 'A-2')}\r\n`;

    // Act
    const records = await parse(text).records;

    // Assert
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ kind: 'value', line: 2, lines: [2, 3] });
  });

  it('keeps text that is not an integer as text so the schema names it', async () => {
    // Arrange
    const text = `${HEADER}\n${row('ord-1', 'A-1', { quantity: '1.5', total_cents: '' })}\n`;

    // Act
    const records = await parse(text).records;

    // Assert
    expect(records[0]).toMatchObject({
      kind: 'value',
      value: { items: [{ sku: 'A-1', quantity: '1.5', unitPriceCents: 500 }], totalCents: undefined },
    });
  });

  it('rejects every row of an order whose rows disagree on an order-level column', async () => {
    // Arrange
    const text = [
      HEADER,
      row('ord-1', 'A-1'),
      row('ord-1', 'A-2', { currency: 'USD' }),
      row('ord-1', 'A-3', { ship_country: 'FR' }),
      row('ord-2', 'B-1', { total_cents: '500' }),
    ].join('\n');

    // Act
    const records = await parse(text).records;

    // Assert
    expect(records[0]).toEqual({
      kind: 'invalid',
      line: 2,
      orderId: 'ord-1',
      lines: [2, 3, 4],
      reasons: [
        'rows disagree on currency: "EUR" at line 2, "USD" at line 3',
        'rows disagree on ship_country: "DE" at line 2, "FR" at line 4',
      ],
    });
    expect(records[1]).toMatchObject({ kind: 'value', line: 5 });
  });

  it('rejects rows of an order that reappear after other orders', async () => {
    // Arrange
    const text = [HEADER, row('ord-1', 'A-1'), row('ord-2', 'B-1'), row('ord-1', 'A-2')].join('\n');

    // Act
    const records = await parse(text).records;

    // Assert
    expect(records).toHaveLength(3);
    expect(records[2]).toMatchObject({ kind: 'invalid', line: 4, orderId: 'ord-1' });
    expect(records[2]?.kind === 'invalid' && records[2].reasons[0]).toContain('not contiguous');
  });

  it('rejects a row with the wrong number of fields together with its order', async () => {
    // Arrange
    const text = [HEADER, row('ord-1', 'A-1'), 'ord-1,cust-1,EUR,A-2,1', row('ord-2', 'B-1')].join('\n');

    // Act
    const records = await parse(text).records;

    // Assert
    expect(records[0]).toMatchObject({
      kind: 'invalid',
      orderId: 'ord-1',
      lines: [2, 3],
      reasons: ['row at line 3 has 5 fields, the header has 11'],
    });
    expect(records[1]).toMatchObject({ kind: 'value', line: 4 });
  });

  it('rejects a row without an order_id on its own', async () => {
    // Arrange
    const text = [HEADER, row('', 'A-1'), row('ord-2', 'B-1')].join('\n');

    // Act
    const records = await parse(text).records;

    // Assert
    expect(records[0]).toEqual({
      kind: 'invalid',
      line: 2,
      reasons: ['order_id is empty: the row belongs to no order'],
    });
    expect(records[1]).toMatchObject({ kind: 'value', line: 3 });
  });

  it('accepts columns in any order and ignores extra columns', async () => {
    // Arrange
    const text = [
      'placed_at,Order_ID,customer_id,currency,sku,quantity,unit_price_cents,total_cents,payment_token,ship_country,ship_postal_code,comment',
      '2026-11-20T09:15:00+01:00,ord-1,cust-1,EUR,A-1,2,250,500,tok_visa,DE,10115,gift wrap',
    ].join('\n');

    // Act
    const records = await parse(text).records;

    // Assert
    expect(records[0]).toMatchObject({
      kind: 'value',
      value: { orderId: 'ord-1', placedAt: '2026-11-20T09:15:00+01:00' },
    });
  });

  it('rejects an order with more rows than the limit', async () => {
    // Arrange
    const rows = Array.from({ length: PARSER_LIMITS.maxCsvRowsPerOrder + 1 }, () => row('ord-1', 'A-1'));
    const text = [HEADER, ...rows].join('\n');

    // Act
    const records = await parse(text, 4096).records;

    // Assert
    expect(records).toHaveLength(1);
    expect(records[0]?.kind === 'invalid' && records[0].reasons).toEqual([
      `order has more than ${PARSER_LIMITS.maxCsvRowsPerOrder} rows`,
    ]);
  });

  it.each([
    ['a missing header column', 'order_id,customer_id\nord-1,cust-1\n', /lacks columns currency, sku/],
    ['a repeated header column', `${HEADER},sku\n`, /repeats columns: sku/],
    ['an empty file', '', /the file is empty/],
  ])('throws UnreadableInput for %s', async (_name, text, message) => {
    // Arrange / Act
    const { records } = parse(text);

    // Assert
    await expect(records).rejects.toThrow(message);
  });

  it('stops at a broken quote, having yielded the orders before it, and leaves the cursor at the unread order', async () => {
    // Arrange
    const text = [
      HEADER,
      row('ord-1', 'A-1'),
      row('ord-2', 'B-1'),
      `ord-2,"bad"x,EUR`,
      row('ord-3', 'C-1'),
    ].join('\n');
    const cursor: Cursor = { line: 0 };
    const seen: unknown[] = [];

    // Act
    const reading = (async () => {
      for await (const record of parseCsv(textChunks(text, 9), cursor)) seen.push(record);
    })();

    // Assert
    await expect(reading).rejects.toThrow(UnreadableInput);
    await expect(reading).rejects.toThrow(/cannot be read past line 4: Invalid Closing Quote/);
    expect(seen).toHaveLength(1);
    expect(cursor.line).toBe(3);
  });
});
