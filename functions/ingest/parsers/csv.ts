import type * as CsvParse from './csv-parse.lazy';
import { type Cursor, PARSER_LIMITS, type SourceRecord, UnreadableInput } from './types';

/** csv-parse, loaded with the first CSV file (csv-parse.lazy.ts). */
const csvParse = (): typeof CsvParse => require('./csv-parse.lazy') as typeof CsvParse;

/** One row per line item; the order-level columns repeat on every row of an order. */
export const CSV_COLUMNS = [
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

type Column = (typeof CSV_COLUMNS)[number];

/** Columns every row of one order must agree on. */
const ORDER_COLUMNS = [
  'customer_id',
  'currency',
  'total_cents',
  'payment_token',
  'ship_country',
  'ship_postal_code',
  'placed_at',
] as const satisfies readonly Column[];

type OrderColumn = (typeof ORDER_COLUMNS)[number];

const MAX_REASONS = 20;

interface Group {
  readonly orderId: string;
  readonly firstLine: number;
  readonly header: Readonly<Record<OrderColumn, string>>;
  readonly items: { sku: string; quantity: unknown; unitPriceCents: unknown }[];
  readonly lines: number[];
  readonly reasons: string[];
  rows: number;
}

/** Integers stay numbers; anything else stays text so the schema names the field and the value. */
const integer = (value: string): unknown =>
  /^-?\d{1,15}$/.test(value) ? Number(value) : value === '' ? undefined : value;
const text = (value: string): string | undefined => (value === '' ? undefined : value);

const countLineBreaks = (fields: readonly string[]): number => {
  let count = 0;
  for (const field of fields) {
    if (field.includes('\n') || field.includes('\r')) count += field.match(/\r\n|\r|\n/g)?.length ?? 0;
  }
  return count;
};

const columnIndex = (header: readonly string[]): Record<Column, number> => {
  const names = header.map((name) => name.trim().toLowerCase());
  const duplicates = names.filter((name, index) => name !== '' && names.indexOf(name) !== index);
  if (duplicates.length > 0) {
    throw new UnreadableInput(`the CSV header repeats columns: ${[...new Set(duplicates)].join(', ')}`);
  }
  const missing = CSV_COLUMNS.filter((column) => !names.includes(column));
  const bySemicolon = header
    .join(',')
    .split(';')
    .map((name) => name.trim().toLowerCase());
  if (missing.length > 0 && CSV_COLUMNS.every((column) => bySemicolon.includes(column))) {
    throw new UnreadableInput(
      'the CSV header is separated by semicolons; a .csv file must be comma-separated (as RFC 4180), ' +
        'which a spreadsheet set to a comma-decimal locale does not write by default',
    );
  }
  if (missing.length > 0) {
    throw new UnreadableInput(
      `the CSV header lacks columns ${missing.join(', ')}; a .csv file needs a header row with ${CSV_COLUMNS.join(',')}`,
    );
  }
  return Object.fromEntries(CSV_COLUMNS.map((column) => [column, names.indexOf(column)])) as Record<
    Column,
    number
  >;
};

interface Row {
  readonly record: string[];
  /** The line the row ends on. */
  readonly lines: number;
}

/**
 * Rows from csv-parse, driven by writes rather than by reading its output stream: a parse error
 * destroys the stream and discards rows it had parsed but not yet handed out, so rows are taken
 * in `on_record` as they are parsed, and every row before an error is yielded before the error.
 * At most the rows of one input chunk wait in the queue.
 */
async function* csvRows(texts: AsyncIterable<string>): AsyncGenerator<Row> {
  const queue: Row[] = [];
  const parser = csvParse().parse({
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: PARSER_LIMITS.maxRecordBytes,
    on_record: (record: string[], context) => {
      queue.push({ record, lines: context.lines });
      return null;
    },
  });
  // Errors arrive through the write and end callbacks; the listener keeps them from being unhandled.
  parser.on('error', () => undefined);
  parser.resume();
  const write = (text: string): Promise<void> =>
    new Promise((resolve, reject) => parser.write(text, (error) => (error ? reject(error) : resolve())));
  try {
    for await (const text of texts) {
      let failure: unknown;
      await write(text).catch((error: unknown) => {
        failure = error;
      });
      yield* queue.splice(0);
      if (failure !== undefined) throw failure;
    }
    await new Promise<void>((resolve, reject) => {
      parser.once('error', reject);
      parser.end(resolve);
    });
    yield* queue.splice(0);
  } finally {
    parser.destroy();
  }
}

/**
 * CSV with one row per line item, grouped into orders by order_id (csv-parse: quoting,
 * embedded newlines, CRLF). Rows of one order must be contiguous: only the order being
 * assembled is held in memory (at most maxCsvRowsPerOrder rows) plus a bounded window of
 * recently finished order ids that catches an order whose rows reappear later.
 * Rows of one order must agree on every order-level column, else the whole order is rejected.
 * A malformed quote stops csv-parse: the rest of the file is then unreadable, because
 * skipping records after a quoting error was seen to swallow the rows that follow it.
 */
export async function* parseCsv(texts: AsyncIterable<string>, cursor: Cursor): AsyncGenerator<SourceRecord> {
  let index: Record<Column, number> | undefined;
  let headerWidth = 0;
  let group: Group | undefined;
  let lastLine = 0;
  const recent = new Map<string, number>();
  cursor.line = 1;

  const flush = (): SourceRecord | undefined => {
    const done = group;
    group = undefined;
    if (done === undefined) return undefined;
    recent.delete(done.orderId);
    recent.set(done.orderId, done.lines.at(-1) ?? done.firstLine);
    if (recent.size > PARSER_LIMITS.csvRecentOrderIds) {
      const oldest = recent.keys().next();
      if (!oldest.done) recent.delete(oldest.value);
    }
    if (done.reasons.length > 0) {
      const reasons =
        done.reasons.length > MAX_REASONS
          ? [...done.reasons.slice(0, MAX_REASONS), `and ${done.reasons.length - MAX_REASONS} more`]
          : done.reasons;
      return { kind: 'invalid', line: done.firstLine, orderId: done.orderId, lines: done.lines, reasons };
    }
    const order = done.header;
    return {
      kind: 'value',
      line: done.firstLine,
      lines: done.lines,
      value: {
        orderId: done.orderId,
        customerId: text(order.customer_id),
        currency: text(order.currency),
        items: done.items,
        totalCents: integer(order.total_cents),
        payment: { token: text(order.payment_token) },
        shipTo: { country: text(order.ship_country), postalCode: text(order.ship_postal_code) },
        placedAt: text(order.placed_at),
      },
    };
  };

  try {
    for await (const { record, lines } of csvRows(texts)) {
      const line = lines - countLineBreaks(record);
      lastLine = lines;
      if (index === undefined) {
        index = columnIndex(record);
        headerWidth = record.length;
        cursor.line = lastLine + 1;
        continue;
      }
      const columns = index;
      const field = (column: Column): string => (record[columns[column]] ?? '').trim();
      const orderId = field('order_id');
      if (orderId === '') {
        const held = flush();
        if (held) yield held;
        cursor.line = line;
        yield { kind: 'invalid', line, reasons: ['order_id is empty: the row belongs to no order'] };
        cursor.line = lastLine + 1;
        continue;
      }
      if (group !== undefined && group.orderId !== orderId) {
        const held = flush();
        cursor.line = line;
        if (held) yield held;
      }
      if (group === undefined) {
        const header = Object.fromEntries(ORDER_COLUMNS.map((column) => [column, field(column)])) as Record<
          OrderColumn,
          string
        >;
        group = { orderId, firstLine: line, header, items: [], lines: [], reasons: [], rows: 0 };
        const endedAt = recent.get(orderId);
        if (endedAt !== undefined) {
          group.reasons.push(
            `rows of order ${orderId} are not contiguous: its earlier rows ended at line ${endedAt}; ` +
              'rows of one order must be adjacent',
          );
        }
      }
      cursor.line = group.firstLine;
      group.rows += 1;
      if (group.rows > PARSER_LIMITS.maxCsvRowsPerOrder) {
        if (group.rows === PARSER_LIMITS.maxCsvRowsPerOrder + 1) {
          group.reasons.push(`order has more than ${PARSER_LIMITS.maxCsvRowsPerOrder} rows`);
        }
        continue;
      }
      group.lines.push(line);
      if (record.length !== headerWidth) {
        group.reasons.push(`row at line ${line} has ${record.length} fields, the header has ${headerWidth}`);
        continue;
      }
      for (const column of ORDER_COLUMNS) {
        const value = field(column);
        if (value !== group.header[column]) {
          group.reasons.push(
            `rows disagree on ${column}: ${JSON.stringify(group.header[column])} at line ${group.firstLine}, ` +
              `${JSON.stringify(value)} at line ${line}`,
          );
        }
      }
      group.items.push({
        sku: field('sku'),
        quantity: integer(field('quantity')),
        unitPriceCents: integer(field('unit_price_cents')),
      });
    }
  } catch (error) {
    if (error instanceof csvParse().CsvError) {
      throw new UnreadableInput(`the CSV cannot be read past line ${error.lines}: ${error.message}`);
    }
    throw error;
  }
  if (index === undefined) {
    throw new UnreadableInput(
      `the file is empty: a .csv file needs a header row with ${CSV_COLUMNS.join(',')}`,
    );
  }
  cursor.line = group?.firstLine ?? lastLine + 1;
  const held = flush();
  if (held) yield held;
  cursor.line = lastLine + 1;
}
