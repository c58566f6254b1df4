import {
  type JsonLinesRecord,
  parseJsonLineBatches,
  parseJsonLines,
} from '../../../../functions/ingest/parsers/jsonl';
import type { Cursor, SourceRecord } from '../../../../functions/ingest/parsers/types';
import { validateOrder } from '../../../../functions/shared/schemas/order-placed';
import { chunked, collect } from '../../../helpers/streams';

const parse = (input: string | Uint8Array, chunkSize = 7, maxLineBytes?: number) => {
  const cursor: Cursor = { line: 0 };
  return { cursor, records: collect(parseJsonLines(chunked(input, chunkSize), cursor, maxLineBytes)) };
};

describe('parseJsonLines', () => {
  it('yields one value per line with its line number, whatever the chunk boundaries', async () => {
    // Arrange
    const input = '{"orderId":"a"}\n{"orderId":"b","note":"ü ✓ 😀"}\n{"orderId":"c"}\n';

    // Act
    const results = await Promise.all([1, 2, 3, 5, 64].map((size) => parse(input, size).records));

    // Assert
    for (const records of results) {
      expect(records).toEqual([
        { kind: 'value', line: 1, value: { orderId: 'a' } },
        { kind: 'value', line: 2, value: { orderId: 'b', note: 'ü ✓ 😀' } },
        { kind: 'value', line: 3, value: { orderId: 'c' } },
      ]);
    }
  });

  it('skips blank lines but counts them in line numbers', async () => {
    // Arrange
    const input = '\n{"a":1}\n   \n\t\n{"a":2}\n\n';

    // Act
    const records = await parse(input).records;

    // Assert
    expect(records.map((record) => record.line)).toEqual([2, 5]);
  });

  it('accepts CRLF line endings', async () => {
    // Arrange
    const input = '{"a":1}\r\n{"a":2}\r\n\r\n';

    // Act
    const records = await parse(input).records;

    // Assert
    expect(records).toEqual([
      { kind: 'value', line: 1, value: { a: 1 } },
      { kind: 'value', line: 2, value: { a: 2 } },
    ]);
  });

  it('reads a last line without a trailing newline', async () => {
    // Arrange / Act
    const { cursor, records } = parse('{"a":1}\n{"a":2}');

    // Assert
    expect((await records).map((record) => record.line)).toEqual([1, 2]);
    expect(cursor.line).toBe(3);
  });

  it('rejects a line that is not JSON and keeps reading, naming the orderId when it can see one', async () => {
    // Arrange
    const input = '{"a":1}\n{"orderId":"ord-9", "items": [}\nnot json\n{"a":2}\n';

    // Act
    const records = await parse(input).records;

    // Assert
    expect(records).toHaveLength(4);
    expect(records[1]).toMatchObject({ kind: 'invalid', line: 2, orderId: 'ord-9' });
    expect(records[2]).toMatchObject({ kind: 'invalid', line: 3 });
    expect(records[2]).not.toHaveProperty('orderId');
    expect(records[2]?.kind === 'invalid' && records[2].reasons[0]).toMatch(/^line is not valid JSON: /);
    expect(records[3]).toMatchObject({ kind: 'value', line: 4 });
  });

  it('rejects a line that is not valid UTF-8 without losing its neighbours', async () => {
    // Arrange
    const input = Buffer.concat([
      Buffer.from('{"a":1}\n{"a":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}\n{"a":3}\n'),
    ]);

    // Act
    const records = await parse(input).records;

    // Assert
    expect(records).toEqual([
      { kind: 'value', line: 1, value: { a: 1 } },
      { kind: 'invalid', line: 2, reasons: ['line is not valid UTF-8'] },
      { kind: 'value', line: 3, value: { a: 3 } },
    ]);
  });

  it('rejects an over-long line without buffering it', async () => {
    // Arrange
    const input = `{"a":1}\n{"a":"${'x'.repeat(500)}"}\n{"a":3}\n`;

    // Act
    const records = await parse(input, 16, 100).records;

    // Assert
    expect(records[1]).toEqual({
      kind: 'invalid',
      line: 2,
      reasons: ['line is 508 bytes, more than the 100 a record may have'],
    });
    expect(records[2]).toEqual({ kind: 'value', line: 3, value: { a: 3 } });
  });

  it('drops a byte order mark at the start', async () => {
    // Arrange / Act
    const records = await parse('\uFEFF{"a":1}\n').records;

    // Assert
    expect(records).toEqual([{ kind: 'value', line: 1, value: { a: 1 } }]);
  });

  it('yields nothing for an empty file', async () => {
    // Arrange / Act / Assert
    expect(await parse('').records).toEqual([]);
  });
});

describe('parseJsonLines: where reading can start again', () => {
  it('names, while each record is handled, the byte and number of the line after it, whatever the chunks', async () => {
    // Arrange: multi-byte characters, a CRLF and a blank line before the last record, no final newline.
    const input = '{"n":"ü"}\n{"n":2}\r\n\n{"n":"😀"}';
    const lines = ['{"n":"ü"}\n', '{"n":2}\r\n', '\n', '{"n":"😀"}'].map((line) => Buffer.byteLength(line));

    for (const size of [1, 3, 64]) {
      // Act
      const cursor: Cursor = { line: 0 };
      const seen: (Cursor['resume'] & { line: number })[] = [];
      for await (const _record of parseJsonLines(chunked(input, size), cursor)) {
        if (cursor.resume) seen.push({ ...cursor.resume });
      }

      // Assert
      const [first = 0, second = 0, blank = 0, last = 0] = lines;
      expect(seen).toEqual([
        { byte: first, line: 2 },
        { byte: first + second, line: 3 },
        { byte: first + second + blank + last, line: 5 },
      ]);
    }
  });

  it('numbers lines from the line it is started at', async () => {
    // Act
    const cursor: Cursor = { line: 0 };
    const records = await collect(parseJsonLines(chunked('{"a":1}\n{"a":2}\n', 4), cursor, undefined, 41));

    // Assert
    expect(records.map((record) => record.line)).toEqual([41, 42]);
  });
});

describe('parseJsonLineBatches: whole ASCII chunks cut as one string', () => {
  const run = async (input: Buffer, size: number) => {
    const cursor: Cursor = { line: 0 };
    const seen: unknown[] = [];
    for await (const batch of parseJsonLineBatches(chunked(input, size), cursor, 38)) seen.push(...batch);
    return { seen, line: cursor.line };
  };

  it('gives the records and resume points of the line-by-line path, whatever the chunks', async () => {
    // Arrange: ASCII lines of everything the per-line path judges: CRLF, blank lines, lines over the
    // limit by their content alone and with their CR, broken JSON, a repeated key; then non-ASCII text,
    // invalid UTF-8 and a last line without a newline.
    const ascii = [
      '{"a":1}\n',
      '{"a":2}\r\n',
      '\n  \r\n',
      `{"big":"${'x'.repeat(30)}"}\n`,
      `{"big":"${'x'.repeat(29)}"}\n`,
      `{"big":"${'x'.repeat(28)}"}\r\n`,
      `{"big":"${'x'.repeat(28)}"}\r\r\n`,
      '{"orderId":"o-1","a":}\n',
      '{"a":1,"a":2}\n',
    ].join('');
    const mixed = [
      Buffer.from(ascii),
      Buffer.from('{"n":"ü 😀"}\n'),
      Buffer.from([0x7b, 0x22, 0x62, 0x22, 0x3a, 0xff, 0x7d, 0x0a]),
      Buffer.from('{"a":3}\n\n{"a":4}'),
    ];
    for (const input of [Buffer.from(ascii), Buffer.concat(mixed)]) {
      // One byte at a time no chunk holds two newlines: every line takes the per-line path.
      const reference = await run(input, 1);
      const text = JSON.stringify(reference.seen);
      expect(text).toContain('line is 40 bytes');
      expect(text).toContain('line is 39 bytes');
      expect(text).toContain('not valid JSON');
      expect(text).toContain('twice in one object');

      // Act / Assert
      for (const size of [2, 3, 7, 16, 41, 50, 64, 100, 200, input.byteLength]) {
        expect({ size, ...(await run(input, size)) }).toEqual({ size, ...reference });
      }
    }
  });
});

describe('parseJsonLineBatches with the order lane', () => {
  const collectBatches = async (input: string, size: number, orders: boolean) => {
    const cursor: Cursor = { line: 0 };
    const seen: JsonLinesRecord[] = [];
    const batches = parseJsonLineBatches(chunked(input, size), cursor, undefined, 1, { orders });
    for await (const batch of batches) seen.push(...batch);
    return { seen, line: cursor.line };
  };

  /** A record as ingest handles it: the verdict validateOrder gives a value, as it is for the rest. */
  const asHandled = (record: SourceRecord) => {
    if (record.kind !== 'value') return record;
    const result = validateOrder(record.value);
    return result.ok
      ? { kind: 'order', line: record.line, orderId: result.order.orderId, canonical: result.canonical }
      : { kind: 'invalid', line: record.line, orderId: result.orderId, reasons: result.reasons };
  };

  it('gives the verdicts, lines and resume points of validating every value, whatever the chunks', async () => {
    // Arrange: the usual line, its items out of order, a total off, lines the lane defers, blank lines, CRLF.
    const order =
      '{"schemaVersion":1,"orderId":"o-1","customerId":"c","currency":"EUR","items":[{"sku":"B","quantity":1,"unitPriceCents":5},' +
      '{"sku":"A","quantity":2,"unitPriceCents":3}],"totalCents":11,"payment":{"token":"t"},"shipTo":{"country":"DE","postalCode":"1"},' +
      '"placedAt":"2026-11-20T09:15:00Z"}';
    const input = [
      order,
      order.replace('"totalCents":11', '"totalCents":12'),
      '',
      ` ${order.replace('"o-1"', '"o-2"')}\r`,
      order.replace('"c"', '"\\u0063"'),
      order.replace('"c"', '"ü"'),
      '{"orderId":"o-3","a":}',
      order.replace('"currency":"EUR"', '"currency":"EUR","currency":"EUR"'),
      order.replace('"o-1"', '"o-4"'),
    ].join('\n');

    // Act
    const reference = await collectBatches(input, input.length, false);
    const results = await Promise.all(
      [1, 7, 64, 500, input.length].map((size) => collectBatches(input, size, true)),
    );

    // Assert
    const handled = ({ seen, line }: { seen: JsonLinesRecord[]; line: number }) => ({
      line,
      seen: seen.map(({ record, resume }) => ({ record: asHandled(record), resume })),
    });
    for (const result of results) expect(handled(result)).toEqual(handled(reference));
    // The escape and the non-ASCII text are left to the full path; the rest the lane judged itself.
    const kinds = results[4]?.seen.map(({ record }) => record.kind);
    expect(kinds).toEqual(['order', 'invalid', 'order', 'value', 'value', 'invalid', 'invalid', 'order']);
  });
});
