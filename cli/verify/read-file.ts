import { gunzipSync } from 'node:zlib';
import { parse as parseCsv } from 'csv-parse/sync';
import { contentHash, validateOrder } from '#shared/schemas/order-placed';
import { parseRecordText } from '#shared/schemas/record-text';
import { detectFormat } from '../../functions/ingest/formats';
import type { RecordRead } from './snapshot';

/**
 * The checker's own reading of an order file: every record, valid or not, with its line, decided
 * by the schema of record (OrderPlaced v1) but split out of the file without the ingest's streaming
 * parsers, so a parser that dropped or merged a record would show. It reads the whole file into
 * memory: meant for checking runs, not for files of many gigabytes.
 */
export interface FileRead {
  readonly records: RecordRead[];
  /** Where the checker could not read on; the ingest must have reported the rest as a remainder. */
  readonly unreadableFrom?: number;
}

const judged = (line: number, value: unknown): RecordRead => {
  const result = validateOrder(value);
  if (result.ok) {
    return {
      line,
      valid: true,
      orderId: result.order.orderId,
      contentHash: contentHash(result.canonical),
      totalCents: result.order.totalCents,
    };
  }
  return {
    line,
    valid: false,
    ...(result.orderId ? { orderId: result.orderId } : {}),
    reasons: result.reasons,
  };
};

const invalid = (line: number, reason: string): RecordRead => ({ line, valid: false, reasons: [reason] });

const decode = (bytes: Uint8Array): string | undefined => {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    return undefined;
  }
};

const jsonLines = (bytes: Buffer): FileRead => {
  const records: RecordRead[] = [];
  let start = 0;
  for (let line = 1; start <= bytes.length; line += 1) {
    const end = bytes.indexOf(0x0a, start);
    const raw = bytes.subarray(start, end === -1 ? bytes.length : end);
    start = end === -1 ? bytes.length + 1 : end + 1;
    const text = decode(raw);
    if (text === undefined) {
      records.push(invalid(line, 'not valid UTF-8'));
      continue;
    }
    if (text.trim() === '') continue;
    // The contract's rules for a record as written (size, nesting, duplicate keys) come before the schema.
    const verdict = parseRecordText(text.replace(/\r$/, ''), 'line');
    if (verdict.ok) records.push(judged(line, verdict.value));
    else records.push({ line, valid: false, reasons: verdict.reasons });
  }
  return { records };
};

const jsonArray = (bytes: Buffer): FileRead => {
  const text = decode(bytes);
  if (text === undefined) return { records: [], unreadableFrom: 1 };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // An element the ingest could split out and reject on its own: the checker cannot tell which.
    return { records: [], unreadableFrom: 1 };
  }
  if (!Array.isArray(parsed)) return { records: [], unreadableFrom: 1 };
  return { records: parsed.map((element, index) => judged(index + 1, element)) };
};

const COLUMNS = [
  'order_id',
  'customer_id',
  'currency',
  'sku',
  'quantity',
  'unit_price_cents',
  'total_cents',
  'payment_token',
  'ship_country',
  'ship_postal_code',
  'placed_at',
] as const;
const ORDER_LEVEL = COLUMNS.filter(
  (column) => !['order_id', 'sku', 'quantity', 'unit_price_cents'].includes(column),
);

/** The README's CSV contract: integers as numbers, empty as absent, anything else as text. */
const cell = (value: string | undefined, integer: boolean): unknown => {
  const text = (value ?? '').trim();
  if (text === '') return undefined;
  return integer && /^-?\d{1,15}$/.test(text) ? Number(text) : text;
};

interface CsvRow {
  readonly record: string[];
  readonly info: { readonly lines: number };
}

const csv = (bytes: Buffer): FileRead => {
  const text = decode(bytes);
  if (text === undefined) return { records: [], unreadableFrom: 1 };
  let rows: CsvRow[];
  try {
    rows = parseCsv(text, {
      relax_column_count: true,
      info: true,
      skip_empty_lines: true,
    }) as unknown as CsvRow[];
  } catch {
    return { records: [], unreadableFrom: 1 };
  }
  const [header, ...data] = rows;
  if (header === undefined) return { records: [], unreadableFrom: 1 };
  const names = header.record.map((name) => name.trim().toLowerCase());
  if (COLUMNS.some((column) => !names.includes(column))) return { records: [], unreadableFrom: 1 };
  const at = (row: CsvRow, column: string): string | undefined => row.record[names.indexOf(column)];
  const records: RecordRead[] = [];
  const finished = new Set<string>();
  let group: { orderId: string; rows: CsvRow[] } | undefined;
  const close = (): void => {
    if (group === undefined) return;
    const [first] = group.rows;
    if (first === undefined) return;
    const line = first.info.lines - (first.record.join(',').match(/\r\n|\r|\n/g)?.length ?? 0);
    const disagree = group.rows.some(
      (row) =>
        row.record.length !== names.length ||
        ORDER_LEVEL.some((c) => (at(row, c) ?? '').trim() !== (at(first, c) ?? '').trim()),
    );
    if (finished.has(group.orderId) || disagree) {
      records.push({
        line,
        valid: false,
        orderId: group.orderId,
        reasons: ['rows of the order disagree or are not contiguous'],
      });
    } else {
      records.push(
        judged(line, {
          orderId: group.orderId,
          customerId: cell(at(first, 'customer_id'), false),
          currency: cell(at(first, 'currency'), false),
          items: group.rows.map((row) => ({
            sku: (at(row, 'sku') ?? '').trim(),
            quantity: cell(at(row, 'quantity'), true),
            unitPriceCents: cell(at(row, 'unit_price_cents'), true),
          })),
          totalCents: cell(at(first, 'total_cents'), true),
          payment: { token: cell(at(first, 'payment_token'), false) },
          shipTo: {
            country: cell(at(first, 'ship_country'), false),
            postalCode: cell(at(first, 'ship_postal_code'), false),
          },
          placedAt: cell(at(first, 'placed_at'), false),
        }),
      );
    }
    finished.add(group.orderId);
    group = undefined;
  };
  for (const row of data) {
    const orderId = (at(row, 'order_id') ?? '').trim();
    if (orderId === '') {
      close();
      records.push(invalid(row.info.lines, 'order_id is empty'));
      continue;
    }
    if (group !== undefined && group.orderId !== orderId) close();
    group ??= { orderId, rows: [] };
    group.rows.push(row);
  }
  close();
  return { records };
};

/** Reads one ingested file the checker's own way. */
export const readOrderFile = (key: string, body: Buffer): FileRead => {
  const detection = detectFormat(key);
  if (!detection.ok) return { records: [], unreadableFrom: 0 };
  let bytes = body;
  if (detection.gzip) {
    try {
      bytes = gunzipSync(body);
    } catch {
      return { records: [], unreadableFrom: 1 };
    }
  }
  switch (detection.format) {
    case 'jsonl':
      return jsonLines(bytes);
    case 'json':
      return jsonArray(bytes);
    case 'csv':
      return csv(bytes);
  }
};
