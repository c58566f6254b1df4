import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateOrder } from '#shared/schemas/order-placed';
import { decodeUtf8 } from '../../../functions/ingest/decode';
import { parseCsv } from '../../../functions/ingest/parsers/csv';
import { parseJsonLines } from '../../../functions/ingest/parsers/jsonl';
import type { SourceRecord } from '../../../functions/ingest/parsers/types';
import { collect } from '../../helpers/streams';

const samples = join(__dirname, '../../../samples');

const judge = (records: SourceRecord[]) =>
  records.map((record) => (record.kind === 'value' ? validateOrder(record.value) : { ok: false as const }));

const inventory = new Map(
  readFileSync(join(samples, 'inventory.csv'), 'utf8')
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [sku = '', available = ''] = line.split(',');
      return [sku, Number(available)] as const;
    }),
);

describe('samples', () => {
  it('orders.jsonl holds 21 valid lines (an exact duplicate and a conflicting duplicate among them) and 5 invalid ones', async () => {
    // Arrange / Act
    const results = judge(
      await collect(parseJsonLines(createReadStream(join(samples, 'orders.jsonl')), { line: 1 })),
    );

    // Assert
    const valid = results.flatMap((result) => (result.ok ? [result] : []));
    expect(valid).toHaveLength(21);
    expect(results.length - valid.length).toBe(5);
    expect(new Set(valid.map((result) => result.canonical)).size).toBe(20);
    // The same orderId with other content: process-order sends it to the DLQ as ConflictingDuplicate.
    expect(new Set(valid.map((result) => result.order.orderId)).size).toBe(19);
  });

  it('orders.jsonl exercises every later failure path: decline, insufficient funds, flaky, out of stock, no carrier', async () => {
    // Arrange / Act
    const results = judge(
      await collect(parseJsonLines(createReadStream(join(samples, 'orders.jsonl')), { line: 1 })),
    );
    const orders = results.flatMap((result) => (result.ok ? [result.order] : []));

    // Assert
    const tokens = new Set(orders.map((order) => order.payment.token));
    for (const token of ['tok_visa', 'tok_decline', 'tok_insufficient_funds', 'tok_flaky'])
      expect(tokens).toContain(token);
    expect(orders.some((order) => order.shipTo.country === 'AQ')).toBe(true);
    const outOfStock = orders.filter((order) =>
      order.items.some((item) => item.quantity > (inventory.get(item.sku) ?? 0)),
    );
    expect(outOfStock.map((order) => order.orderId)).toEqual(['ord-2026-1009']);
  });

  it('inventory.csv stocks every sku the samples use', async () => {
    // Arrange
    const jsonl = judge(
      await collect(parseJsonLines(createReadStream(join(samples, 'orders.jsonl')), { line: 1 })),
    );
    const csv = judge(
      await collect(parseCsv(decodeUtf8(createReadStream(join(samples, 'orders.csv'))), { line: 1 })),
    );

    // Act
    const skus = [...jsonl, ...csv].flatMap((result) =>
      result.ok ? result.order.items.map((item) => item.sku) : [],
    );

    // Assert
    expect(skus.filter((sku) => !inventory.has(sku))).toEqual([]);
  });

  it('orders.csv holds three valid orders and one whose rows disagree on currency', async () => {
    // Arrange / Act
    const records = await collect(
      parseCsv(decodeUtf8(createReadStream(join(samples, 'orders.csv'))), { line: 1 }),
    );
    const results = judge(records);

    // Assert
    expect(results.map((result) => result.ok)).toEqual([true, true, true, false]);
    expect(records[3]).toMatchObject({ kind: 'invalid', orderId: 'ord-2026-2004', lines: [7, 8] });
  });
});
