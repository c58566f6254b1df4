import { parseJsonLines } from '../../../../functions/ingest/parsers/jsonl';
import type { Cursor } from '../../../../functions/ingest/parsers/types';
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
