import { isAscii } from 'node:buffer';
import { DEFER, scanOrderLine } from '#shared/schemas/order-line';
import { parseRecordText, recordTooLarge } from '#shared/schemas/record-text';
import { type Cursor, PARSER_LIMITS, type ResumePoint, type SourceRecord, sniffOrderId } from './types';

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** A record of a JSON Lines file and where reading can start again after it. */
export interface JsonLinesRecord {
  readonly record: SourceRecord;
  readonly resume: ResumePoint;
}

export interface JsonLinesOptions {
  /**
   * Judge each line as an order where the order lane can (order-line.ts): a valid order comes as a
   * `kind: 'order'` record with its canonical string, one valid but for its total as `kind: 'invalid'`
   * with validateOrder's reason; every other line comes as it always does. @default false
   */
  readonly orders?: boolean;
}

/**
 * One JSON value per line (.jsonl / .ndjson). Works on bytes: a newline byte never occurs
 * inside a multi-byte UTF-8 character, so each line is decoded on its own and a bad line costs
 * only itself. Blank lines are skipped but still counted, so line numbers match an editor's.
 *
 * Yields the records of each chunk read together (most chunks hold hundreds of lines), so the
 * consumer pays for one turn of the async iteration per chunk, not per record. `cursor.line` is the
 * line after the last one yielded; each record carries its own resume point.
 *
 * The whole lines of a chunk that is all ASCII (the usual file) are turned into one string at once
 * and cut there: ASCII is valid UTF-8 and one byte per character, so the verdicts, sizes and byte
 * offsets are those of the line-by-line path, without a buffer and a decoder call per line.
 */
export async function* parseJsonLineBatches(
  chunks: AsyncIterable<Uint8Array>,
  cursor: Cursor,
  maxLineBytes: number = PARSER_LIMITS.maxRecordBytes,
  firstLine = 1,
  options: JsonLinesOptions = {},
): AsyncGenerator<readonly JsonLinesRecord[]> {
  const orders = options.orders === true;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let parts: Uint8Array[] = [];
  let lineBytes = 0;
  let line = firstLine;
  cursor.line = line;
  // Bytes of the input before the current chunk.
  let consumed = 0;

  const append = (bytes: Uint8Array): void => {
    lineBytes += bytes.byteLength;
    // Past the limit the content is dropped and only counted: one huge line must not fill memory.
    if (lineBytes <= maxLineBytes + 1) parts.push(bytes);
    else parts = [];
  };

  /** The record of one line's text, without its line ending; undefined for a blank line. */
  const judge = (text: string): SourceRecord | undefined => {
    if (orders) {
      // A blank line, like anything else the lane is not certain of, is deferred to the path below.
      const scanned = scanOrderLine(text);
      if (scanned !== DEFER) {
        return scanned.ok
          ? { kind: 'order', line, orderId: scanned.orderId, canonical: scanned.canonical }
          : { kind: 'invalid', line, orderId: scanned.orderId, reasons: scanned.reasons };
      }
    }
    if (text.trim() === '') return undefined;
    const verdict = parseRecordText(text, 'line');
    if (verdict.ok) return { kind: 'value', line, value: verdict.value };
    const orderId = sniffOrderId(text);
    return orderId === undefined
      ? { kind: 'invalid', line, reasons: verdict.reasons }
      : { kind: 'invalid', line, orderId, reasons: verdict.reasons };
  };

  const finishLine = (): SourceRecord | undefined => {
    const kept = lineBytes;
    const joined = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    parts = [];
    lineBytes = 0;
    // One byte of slack was kept for a CR: the record is the line without its line ending.
    if (kept > maxLineBytes + 1) {
      return { kind: 'invalid', line, reasons: [recordTooLarge('line', kept, maxLineBytes)] };
    }
    if (joined === undefined) return undefined;
    const end = joined.at(-1) === CARRIAGE_RETURN ? joined.byteLength - 1 : joined.byteLength;
    if (end > maxLineBytes) {
      return { kind: 'invalid', line, reasons: [recordTooLarge('line', end, maxLineBytes)] };
    }
    let text: string;
    try {
      text = decoder.decode(joined.subarray(0, end));
    } catch {
      return { kind: 'invalid', line, reasons: ['line is not valid UTF-8'] };
    }
    return judge(text);
  };

  /** finishLine for a whole line of ASCII text, `text.slice(from, to)`: a character is a byte. */
  const finishAsciiLine = (text: string, from: number, to: number): SourceRecord | undefined => {
    if (to - from > maxLineBytes + 1) {
      return { kind: 'invalid', line, reasons: [recordTooLarge('line', to - from, maxLineBytes)] };
    }
    const end = to > from && text.charCodeAt(to - 1) === CARRIAGE_RETURN ? to - 1 : to;
    if (end - from > maxLineBytes) {
      return { kind: 'invalid', line, reasons: [recordTooLarge('line', end - from, maxLineBytes)] };
    }
    return judge(text.slice(from, end));
  };

  for await (const chunk of chunks) {
    const batch: JsonLinesRecord[] = [];
    let start = 0;
    // The line carried over from the chunk before, if any, ends at the first newline: bytes, as ever.
    const first = lineBytes > 0 ? chunk.indexOf(NEWLINE) : -1;
    if (first !== -1) {
      append(chunk.subarray(0, first));
      const record = finishLine();
      if (record) batch.push({ record, resume: { byte: consumed + first + 1, line: line + 1 } });
      line += 1;
      start = first + 1;
    }
    const last = lineBytes > 0 ? -1 : chunk.lastIndexOf(NEWLINE);
    if (last > start && isAscii(chunk.subarray(start, last))) {
      const text = asBuffer(chunk).toString('latin1', start, last);
      for (let from = 0; ; ) {
        const newline = text.indexOf('\n', from);
        const to = newline === -1 ? text.length : newline;
        const record = finishAsciiLine(text, from, to);
        if (record) batch.push({ record, resume: { byte: consumed + start + to + 1, line: line + 1 } });
        line += 1;
        if (newline === -1) break;
        from = newline + 1;
      }
      start = last + 1;
    }
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline === -1) {
        if (start < chunk.byteLength) append(chunk.subarray(start));
        consumed += chunk.byteLength;
        break;
      }
      append(chunk.subarray(start, newline));
      const record = finishLine();
      if (record) batch.push({ record, resume: { byte: consumed + newline + 1, line: line + 1 } });
      line += 1;
      start = newline + 1;
    }
    cursor.line = line;
    if (batch.length > 0) yield batch;
  }
  if (lineBytes > 0) {
    const record = finishLine();
    cursor.line = line + 1;
    if (record) yield [{ record, resume: { byte: consumed, line: line + 1 } }];
  }
}

const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * parseJsonLineBatches one record at a time: `cursor.resume` is where reading can start again after
 * the record in hand, and `cursor.line` the line after it.
 */
export async function* parseJsonLines(
  chunks: AsyncIterable<Uint8Array>,
  cursor: Cursor,
  maxLineBytes: number = PARSER_LIMITS.maxRecordBytes,
  firstLine = 1,
): AsyncGenerator<SourceRecord> {
  const inner: Cursor = { line: firstLine };
  cursor.line = firstLine;
  for await (const batch of parseJsonLineBatches(chunks, inner, maxLineBytes, firstLine)) {
    for (const { record, resume } of batch) {
      cursor.resume = resume;
      cursor.line = record.line;
      yield record;
    }
    cursor.line = inner.line;
  }
  cursor.line = inner.line;
}
