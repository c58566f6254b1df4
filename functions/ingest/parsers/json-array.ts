import { parseRecordText, recordTooLarge } from '#shared/schemas/record-text';
import { type Cursor, PARSER_LIMITS, type SourceRecord, sniffOrderId, UnreadableInput } from './types';

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

const isWhitespace = (code: number): boolean =>
  code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;

/**
 * A streaming splitter for one top-level JSON array (.json). It tracks only nesting depth and
 * whether it is inside a string, cuts the text at top-level commas and parses one element at a
 * time with JSON.parse, so memory holds one element, never the array. An element that is not
 * valid JSON is rejected on its own; a structure that cannot be followed any further (no `[`,
 * an unterminated string or bracket at the end) makes the rest of the file unreadable.
 */
export async function* parseJsonArray(
  texts: AsyncIterable<string>,
  cursor: Cursor,
  maxElementBytes: number = PARSER_LIMITS.maxRecordBytes,
): AsyncGenerator<SourceRecord> {
  let state: 'before' | 'inside' | 'after' = 'before';
  // Depth counts the array itself as 1: a comma or `]` at depth 1 ends an element.
  let depth = 0;
  let inString = false;
  let escaped = false;
  let parts: string[] = [];
  let elementChars = 0;
  let position = 1;
  cursor.line = position;

  // A UTF-8 byte per UTF-16 unit at least: past the limit in units, the element is too large in bytes.
  const append = (text: string): void => {
    elementChars += text.length;
    if (elementChars <= maxElementBytes) parts.push(text);
    else parts = [];
  };

  const finishElement = (closing: boolean): SourceRecord | undefined => {
    const size = elementChars;
    const text = parts.join('').trim();
    parts = [];
    elementChars = 0;
    const line = position;
    if (size > maxElementBytes) {
      return {
        kind: 'invalid',
        line,
        reasons: [`array element is more than ${maxElementBytes} bytes, the most a record may have`],
      };
    }
    if (text === '') {
      // `[]` is an empty file, not an empty element.
      if (closing && position === 1) return undefined;
      return { kind: 'invalid', line, reasons: ['array element is empty (a stray or trailing comma?)'] };
    }
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > maxElementBytes) {
      return { kind: 'invalid', line, reasons: [recordTooLarge('array element', bytes, maxElementBytes)] };
    }
    const verdict = parseRecordText(text, 'array element');
    if (verdict.ok) return { kind: 'value', line, value: verdict.value };
    const orderId = sniffOrderId(text);
    return orderId === undefined
      ? { kind: 'invalid', line, reasons: verdict.reasons }
      : { kind: 'invalid', line, orderId, reasons: verdict.reasons };
  };

  for await (const text of texts) {
    let start = 0;
    let index = 0;
    // Inside a string only a quote or a backslash matters: jump to the next one (indexOf is native).
    let nextBackslash = -1;
    const skipString = (): void => {
      const quote = text.indexOf('"', index);
      if (nextBackslash !== Number.POSITIVE_INFINITY && nextBackslash < index) {
        const found = text.indexOf('\\', index);
        nextBackslash = found === -1 ? Number.POSITIVE_INFINITY : found;
      }
      const stop = quote === -1 ? nextBackslash : Math.min(quote, nextBackslash);
      index = stop === Number.POSITIVE_INFINITY ? text.length : stop;
    };
    while (index < text.length) {
      if (inString && !escaped) {
        skipString();
        if (index >= text.length) break;
      }
      const code = text.charCodeAt(index);
      if (state === 'before') {
        if (code === OPEN_BRACKET) {
          state = 'inside';
          depth = 1;
          start = index + 1;
        } else if (!isWhitespace(code)) {
          throw new UnreadableInput(
            `a .json file must hold one JSON array of orders, but it starts with ${JSON.stringify(text.slice(index, index + 20))}`,
          );
        }
      } else if (state === 'after') {
        if (!isWhitespace(code)) {
          throw new UnreadableInput(
            `unexpected content after the array closed: ${JSON.stringify(text.slice(index, index + 20))}`,
          );
        }
      } else if (inString) {
        if (escaped) escaped = false;
        else if (code === BACKSLASH) escaped = true;
        else if (code === QUOTE) inString = false;
      } else if (code === QUOTE) {
        inString = true;
      } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
        depth += 1;
      } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
        depth -= 1;
        if (depth === 0) {
          append(text.slice(start, index));
          const record = finishElement(true);
          if (record) yield record;
          state = 'after';
          position += 1;
          cursor.line = position;
        }
      } else if (code === COMMA && depth === 1) {
        append(text.slice(start, index));
        const record = finishElement(false);
        if (record) yield record;
        position += 1;
        cursor.line = position;
        start = index + 1;
      }
      index += 1;
    }
    if (state === 'inside') append(text.slice(start));
  }

  if (state === 'before')
    throw new UnreadableInput('the file is empty: a .json file must hold one JSON array');
  if (state === 'inside') {
    throw new UnreadableInput(
      inString
        ? `the file ends inside a string in array element ${position}`
        : `the file ends before the array is closed (in element ${position}: unbalanced brackets?)`,
    );
  }
}
