import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { readOrderFile } from '../../../cli/verify/read-file';
import { anOrder, toCsv, toJsonLines } from '../../helpers/orders';

const samples = path.join(__dirname, '../../../samples');
const validLines = (read: ReturnType<typeof readOrderFile>) =>
  read.records.filter((r) => r.valid).map((r) => r.line);
const invalidLines = (read: ReturnType<typeof readOrderFile>) =>
  read.records.filter((r) => !r.valid).map((r) => r.line);

describe("the checker's own reading of order files", () => {
  it('reads the sample JSONL as the README describes it: 26 records, 21 valid, 5 invalid', () => {
    // Act
    const read = readOrderFile('incoming/orders.jsonl', readFileSync(path.join(samples, 'orders.jsonl')));

    // Assert
    expect(read.records).toHaveLength(26);
    expect(validLines(read)).toHaveLength(21);
    expect(invalidLines(read)).toEqual(expect.arrayContaining([12, 13, 14]));
  });

  it('numbers JSONL lines as an editor does, skipping blank lines and judging a bad line alone', () => {
    // Arrange
    const body = Buffer.concat([
      Buffer.from(`${JSON.stringify(anOrder({ orderId: 'o-1' }))}\n\n{"orderId":\n`),
      Buffer.from([0xff, 0xfe, 0x0a]),
      Buffer.from(`${JSON.stringify(anOrder({ orderId: 'o-5' }))}`),
    ]);

    // Act
    const read = readOrderFile('incoming/x.ndjson', body);

    // Assert
    expect(validLines(read)).toEqual([1, 5]);
    expect(invalidLines(read)).toEqual([3, 4]);
    expect(read.records.find((r) => r.line === 4)).toMatchObject({ reasons: ['not valid UTF-8'] });
  });

  it('reads a gzipped CSV: one order per group of adjacent rows, a group whose rows disagree invalid', () => {
    // Arrange
    const good = anOrder({ orderId: 'o-c1' });
    const bad = { ...anOrder({ orderId: 'o-c2' }) };
    const csv = toCsv([good, bad]).replace(/^(o-c2,cust-4711,)EUR/m, '$1USD');

    // Act
    const read = readOrderFile('incoming/x.csv.gz', gzipSync(csv));

    // Assert
    expect(read.records.map((r) => [r.line, r.valid])).toEqual([
      [2, true],
      [4, false],
    ]);
  });

  it('reads a JSON array element by element, numbering elements from 1', () => {
    // Act
    const read = readOrderFile(
      'incoming/x.json',
      Buffer.from(JSON.stringify([anOrder({ orderId: 'a' }), { orderId: 'b' }])),
    );

    // Assert
    expect(read.records.map((r) => [r.line, r.valid])).toEqual([
      [1, true],
      [2, false],
    ]);
  });

  it('cannot read a file of an unsupported type at all, as the ingest rejects it whole', () => {
    // Act / Assert
    expect(readOrderFile('incoming/x.txt', Buffer.from(toJsonLines([anOrder()])))).toEqual({
      records: [],
      unreadableFrom: 0,
    });
  });
});
