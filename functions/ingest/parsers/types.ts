import { OrderflowError } from '#shared/errors/index';
import { ORDER_LIMITS } from '#shared/schemas/order-placed';

/**
 * What a format parser yields: a decoded value for the schema to judge, an order already judged
 * valid (the JSON Lines order lane), or a record the parser already knows is invalid (bad JSON,
 * conflicting CSV rows, a JSON Lines order whose total disagrees with its items). `line` locates it in
 * the file: the physical line for .jsonl and .csv (an order's first row), the 1-based
 * element position for a .json array. `lines` lists every row of a CSV order.
 */
export type SourceRecord =
  | { readonly kind: 'value'; readonly line: number; readonly value: unknown; readonly lines?: number[] }
  | {
      /** A valid order the JSON Lines order lane judged from its text: what validateOrder gives for it. */
      readonly kind: 'order';
      readonly line: number;
      readonly orderId: string;
      readonly canonical: string;
    }
  | {
      readonly kind: 'invalid';
      readonly line: number;
      readonly orderId?: string;
      readonly reasons: string[];
      readonly lines?: number[];
    };

/**
 * Where a parser is: the first line (or element) not yet emitted as a record. When the input
 * cannot be read any further, the rest of the file from here on is rejected as one unit.
 */
export interface Cursor {
  line: number;
  /**
   * Where reading could start again after the last record yielded: the byte offset in the parser's
   * input of the line that follows it, and that line's number. Only parsers that can start at any
   * line (JSON Lines) set it; it is current while the consumer handles the record.
   */
  resume?: ResumePoint;
}

/** Where reading can start again: a byte offset in the parser's input and the number of the line there. */
export interface ResumePoint {
  readonly byte: number;
  readonly line: number;
}

/** The rest of the input cannot be read (broken structure, bad encoding, corrupt gzip). */
export class UnreadableInput extends OrderflowError {
  constructor(reason: string) {
    super(reason, 'UnreadableInput', true);
  }
}

/** Limits that keep memory flat whatever the input: one record is never buffered beyond these. */
export const PARSER_LIMITS = {
  /** A record as written (a line, an array element, a CSV row): the contract's 64 KiB, in bytes. */
  maxRecordBytes: ORDER_LIMITS.maxRecordBytes,
  /** Rows of one CSV order: 99 distinct skus, with room for repeated sku rows that merge. */
  maxCsvRowsPerOrder: 1_000,
  /** Finished CSV order ids remembered to catch an order whose rows are split apart. */
  csvRecentOrderIds: 10_000,
} as const;

/** Best-effort orderId from text that is not valid JSON, so an operator can find the order. */
export const sniffOrderId = (text: string): string | undefined =>
  /"orderId"\s*:\s*"([A-Za-z0-9_-]{1,64})"/.exec(text)?.[1];
