import { parseJsonArray } from '../../../../functions/ingest/parsers/json-array';
import { type Cursor, UnreadableInput } from '../../../../functions/ingest/parsers/types';
import { collect, textChunks } from '../../../helpers/streams';

const parse = (text: string, chunkSize = 5, maxElementChars?: number) => {
  const cursor: Cursor = { line: 0 };
  const records = collect(parseJsonArray(textChunks(text, chunkSize), cursor, maxElementChars));
  return { cursor, records };
};

describe('parseJsonArray', () => {
  it('yields each element with its 1-based position, whatever the chunk boundaries', async () => {
    // Arrange
    const text = '[\n  {"orderId":"a","items":[{"sku":"X"}]},\n  {"orderId":"b"}\n]\n';

    // Act
    const results = await Promise.all([1, 2, 3, 7, 1000].map((size) => parse(text, size).records));

    // Assert
    for (const records of results) {
      expect(records).toEqual([
        { kind: 'value', line: 1, value: { orderId: 'a', items: [{ sku: 'X' }] } },
        { kind: 'value', line: 2, value: { orderId: 'b' } },
      ]);
    }
  });

  it('is not fooled by brackets, commas, quotes and escapes inside strings', async () => {
    // Arrange
    const tricky = {
      note: 'a ] b [ c } d { e , f "quoted" \\ back\\\\slash \u2028 ✓',
      nested: { list: [1, [2, '],']] },
    };
    const text = JSON.stringify([tricky, { b: '\\' }, { c: '"]' }]);

    // Act
    const records = await parse(text, 3).records;

    // Assert
    expect(records.map((record) => record.kind === 'value' && record.value)).toEqual([
      tricky,
      { b: '\\' },
      { c: '"]' },
    ]);
  });

  it('yields nothing for an empty array', async () => {
    // Arrange / Act / Assert
    expect(await parse(' [ ] ').records).toEqual([]);
  });

  it('passes scalar elements on, for the schema to reject', async () => {
    // Arrange / Act
    const records = await parse('[1, "two", null]').records;

    // Assert
    expect(records.map((record) => record.kind === 'value' && record.value)).toEqual([1, 'two', null]);
  });

  it('rejects an element that is not valid JSON and keeps reading', async () => {
    // Arrange
    const text = '[{"orderId":"a"}, {"orderId":"b",}, {"orderId":"c"}]';

    // Act
    const records = await parse(text).records;

    // Assert
    expect(records[1]).toMatchObject({ kind: 'invalid', line: 2, orderId: 'b' });
    expect(records[2]).toEqual({ kind: 'value', line: 3, value: { orderId: 'c' } });
  });

  it('rejects an empty element left by a stray comma', async () => {
    // Arrange / Act
    const records = await parse('[{"a":1},,{"a":2},]').records;

    // Assert
    expect(records.map((record) => record.kind)).toEqual(['value', 'invalid', 'value', 'invalid']);
  });

  it('rejects an over-long element without buffering it', async () => {
    // Arrange
    const text = `[{"a":"${'x'.repeat(300)}"},{"a":2}]`;

    // Act
    const records = await parse(text, 16, 100).records;

    // Assert
    expect(records[0]).toMatchObject({ kind: 'invalid', line: 1 });
    expect(records[1]).toEqual({ kind: 'value', line: 2, value: { a: 2 } });
  });

  it.each([
    ['a file that is not an array', '{"orderId":"a"}', /must hold one JSON array/],
    ['an empty file', '   ', /the file is empty/],
    ['an array that is never closed', '[{"a":1},{"a":2', /ends before the array is closed \(in element 2/],
    ['a string that is never closed', '[{"a":1},{"a":"oops', /ends inside a string in array element 2/],
    ['content after the array', '[{"a":1}] [{"a":2}]', /unexpected content after the array closed/],
  ])('throws UnreadableInput for %s', async (_name, text, message) => {
    // Arrange / Act
    const { records } = parse(text);

    // Assert
    await expect(records).rejects.toThrow(UnreadableInput);
    await expect(records).rejects.toThrow(message);
  });

  it('leaves the cursor at the element where reading stopped', async () => {
    // Arrange
    const cursor: Cursor = { line: 0 };
    const seen: unknown[] = [];

    // Act
    const reading = (async () => {
      for await (const record of parseJsonArray(textChunks('[{"a":1},{"a":2},{"a":', 4), cursor))
        seen.push(record);
    })();

    // Assert
    await expect(reading).rejects.toThrow(UnreadableInput);
    expect(seen).toHaveLength(2);
    expect(cursor.line).toBe(3);
  });

  it('accepts an element of exactly 64 KiB of UTF-8 and rejects one byte more', async () => {
    // Arrange: "é" is two bytes, so the limit counts bytes, not characters.
    const element = (bytes: number): string => {
      const head = '{"orderId":"é"';
      return `${head}${' '.repeat(bytes - Buffer.byteLength(head) - 1)}}`;
    };
    const text = `[${element(65_536)},${element(65_537)}, ${element(65_536)}]`;

    // Act
    const records = await parse(text, 4096).records;

    // Assert
    expect(records.map((record) => record.kind)).toEqual(['value', 'invalid', 'value']);
    expect(records[1]).toMatchObject({
      line: 2,
      reasons: ['array element is 65537 bytes, more than the 65536 a record may have'],
    });
  });
});
