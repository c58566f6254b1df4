import { ORDER_LIMITS } from '#shared/schemas/order-placed';
import { parseRecordText } from '#shared/schemas/record-text';

describe('parseRecordText', () => {
  it('parses a record of valid JSON', () => {
    // Act
    const verdict = parseRecordText('{"a":[1,{"b":"x"}]}', 'line');

    // Assert
    expect(verdict).toEqual({ ok: true, value: { a: [1, { b: 'x' }] } });
  });

  it.each([
    ['a key twice', '{"a":1,"b":2,"a":3}', 'line has the key "a" twice in one object'],
    ['a key twice, once escaped', '{"a":1,"\\u0061":2}', 'line has the key "a" twice in one object'],
    ['a key twice in a nested object', '{"x":{"k":1,"k":1}}', 'line has the key "k" twice in one object'],
    ['a quote escaped inside a key', '{"a\\"":1,"a\\"":2}', 'line has the key "a\\"" twice in one object'],
  ])('rejects %s', (_name, text, reason) => {
    // Act
    const verdict = parseRecordText(text, 'line');

    // Assert
    expect(verdict).toEqual({
      ok: false,
      reasons: [`${reason}: a JSON reader would keep only one of the values`],
    });
  });

  it('allows the same key in two different objects', () => {
    // Act
    const verdict = parseRecordText('[{"a":1},{"a":2},{"b":{"a":3}}]', 'line');

    // Assert
    expect(verdict.ok).toBe(true);
  });

  it('accepts nesting at the limit and rejects one level more', () => {
    // Arrange
    const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

    // Act
    const atLimit = parseRecordText(nested(ORDER_LIMITS.maxNestingDepth), 'line');
    const beyond = parseRecordText(nested(ORDER_LIMITS.maxNestingDepth + 1), 'line');

    // Assert
    expect(atLimit.ok).toBe(true);
    expect(beyond).toEqual({ ok: false, reasons: ['line is nested more than 32 levels deep'] });
  });

  it('ignores brackets and braces inside strings when counting depth', () => {
    // Act
    const verdict = parseRecordText(JSON.stringify({ note: '['.repeat(100) }), 'line');

    // Assert
    expect(verdict.ok).toBe(true);
  });

  it('accepts exactly the size limit in UTF-8 bytes and rejects one byte more', () => {
    // Arrange: "é" is two bytes, so the limit is counted in bytes, not characters.
    const padded = (bytes: number): string => {
      const head = '{"a":"é"';
      return `${head}${' '.repeat(bytes - Buffer.byteLength(head) - 1)}}`;
    };

    // Act
    const atLimit = parseRecordText(padded(ORDER_LIMITS.maxRecordBytes), 'line');
    const beyond = parseRecordText(padded(ORDER_LIMITS.maxRecordBytes + 1), 'line');

    // Assert
    expect(atLimit.ok).toBe(true);
    expect(beyond).toEqual({
      ok: false,
      reasons: ['line is 65537 bytes, more than the 65536 a record may have'],
    });
  });
});
