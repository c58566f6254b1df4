import { ORDER_LIMITS } from './order-limits';

/**
 * Rules for a record as it is written in a file (a JSON Lines line, a JSON array element), checked
 * before the schema sees the parsed value: JSON.parse alone would accept things that then vanish or
 * cost without bound. JSON.parse keeps only the last of two equal keys, so a duplicate key would
 * silently drop a value; a record nested thousands of levels deep is work for nothing.
 */
export type RecordTextVerdict =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reasons: string[] };

// Read once: every record checks them, and a property read per use adds up over a million records.
const MAX_RECORD_BYTES = ORDER_LIMITS.maxRecordBytes;
const MAX_NESTING_DEPTH = ORDER_LIMITS.maxNestingDepth;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

/** The reason for a record over the size limit. */
export const recordTooLarge = (unit: string, bytes: number, limit: number = MAX_RECORD_BYTES): string =>
  `${unit} is ${bytes} bytes, more than the ${limit} a record may have`;

interface Frame {
  readonly keys: Set<string> | undefined;
  expectKey: boolean;
}

interface Shape {
  readonly tooDeep: boolean;
  readonly duplicateKeys: string[];
}

/**
 * One pass over the text: nesting depth (stopping as soon as it passes the limit) and keys repeated
 * within one object. Keys are compared after JSON unescaping, so `"a"` and `"\u0061"` are the same key.
 * Meant for valid JSON; on invalid text its answer is only used to stop early.
 */
const shapeOf = (text: string): Shape => {
  const stack: Frame[] = [];
  const duplicateKeys: string[] = [];
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      // The closing quote: the next one not escaped (indexOf is native; backslashes are rare).
      let end = text.indexOf('"', index + 1);
      let escapedInside = false;
      while (end !== -1 && text.charCodeAt(end - 1) === BACKSLASH) {
        let backslashes = 0;
        for (let back = end - 1; text.charCodeAt(back) === BACKSLASH; back -= 1) backslashes += 1;
        escapedInside = true;
        if (backslashes % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      if (end === -1) end = text.length;
      const top = stack.at(-1);
      if (top?.keys !== undefined && top.expectKey) {
        top.expectKey = false;
        let key: string | undefined = text.slice(index + 1, end);
        if (escapedInside || key.includes('\\')) {
          try {
            key = JSON.parse(text.slice(index, end + 1)) as string;
          } catch {
            key = undefined;
          }
        }
        if (key !== undefined) {
          if (top.keys.has(key)) duplicateKeys.push(key);
          else top.keys.add(key);
        }
      }
      index = end;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      stack.push({ keys: code === OPEN_BRACE ? new Set() : undefined, expectKey: code === OPEN_BRACE });
      if (stack.length > MAX_NESTING_DEPTH) return { tooDeep: true, duplicateKeys };
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      stack.pop();
    } else if (code === COMMA) {
      const top = stack.at(-1);
      if (top?.keys !== undefined) top.expectKey = true;
    }
  }
  return { tooDeep: false, duplicateKeys };
};

const colonsIn = (text: string): number => {
  let count = 0;
  for (let at = text.indexOf(':'); at !== -1; at = text.indexOf(':', at + 1)) count += 1;
  return count;
};

/** What tallyValue counts: keys, and the colons inside strings. One pair for the module, reset per value. */
let keysSeen = 0;
let colonsInStrings = 0;

/** Counts keys and the colons inside strings of a parsed value; false when it is nested too deep. */
const tallyValue = (value: unknown, depth: number): boolean => {
  if (typeof value === 'string') {
    colonsInStrings += colonsIn(value);
    return true;
  }
  if (typeof value !== 'object' || value === null) return true;
  if (depth >= MAX_NESTING_DEPTH) return false;
  if (Array.isArray(value)) {
    for (const element of value as unknown[]) if (!tallyValue(element, depth + 1)) return false;
    return true;
  }
  // JSON.parse makes plain objects: for-in lists their own keys, without an array to allocate.
  for (const key in value) {
    keysSeen += 1;
    colonsInStrings += colonsIn(key);
    if (!tallyValue((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
};

/** parseCommon's answer when it cannot tell (a value of its own, so no wrapper is allocated per record). */
const CANNOT_TELL: unique symbol = Symbol('cannot tell');

/**
 * The common case without a scan of the text: JSON.parse, then the parsed value itself shows the text
 * obeys the rules. Without a backslash in the text every string is written as it reads, so the colons
 * of the text are one per key-value pair written plus those inside strings. If a key were written
 * twice in one object, JSON.parse would keep fewer keys (and maybe fewer strings) than were written,
 * and the colons would outnumber the keys and the strings' colons: equality proves there is no
 * duplicate. The nesting of the value is the nesting of the text. CANNOT_TELL when it cannot tell.
 */
const parseCommon = (text: string): unknown => {
  if (text.includes('\\')) return CANNOT_TELL;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return CANNOT_TELL;
  }
  keysSeen = 0;
  colonsInStrings = 0;
  if (!tallyValue(value, 0)) return CANNOT_TELL;
  return colonsIn(text) === keysSeen + colonsInStrings ? value : CANNOT_TELL;
};

/**
 * Parses one record's text (without its line ending) under the record-text rules: at most
 * ORDER_LIMITS.maxRecordBytes of UTF-8, nesting at most ORDER_LIMITS.maxNestingDepth, valid JSON,
 * no key twice in one object. Each failure is a reason an operator can act on, naming the `unit`.
 */
export const parseRecordText = (text: string, unit = 'record'): RecordTextVerdict => {
  // Every UTF-16 unit is at most 3 bytes of UTF-8: a short text needs no count.
  const bytes = text.length * 3 <= MAX_RECORD_BYTES ? 0 : Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_RECORD_BYTES) return { ok: false, reasons: [recordTooLarge(unit, bytes)] };
  const common = parseCommon(text);
  if (common !== CANNOT_TELL) return { ok: true, value: common };
  // Everything else (invalid, escaped, deep or duplicated) is judged by the scan, whose reasons name the rule.
  return judgeByScan(text, unit);
};

/**
 * parseRecordText without its common-case shortcut: every text scanned for nesting and duplicate keys.
 * The same verdicts; the unit tests check that with generated texts.
 */
export const parseRecordTextByScan = (text: string, unit = 'record'): RecordTextVerdict => {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_RECORD_BYTES) return { ok: false, reasons: [recordTooLarge(unit, bytes)] };
  return judgeByScan(text, unit);
};

const judgeByScan = (text: string, unit: string): RecordTextVerdict => {
  const shape = shapeOf(text);
  if (shape.tooDeep) {
    return {
      ok: false,
      reasons: [`${unit} is nested more than ${MAX_NESTING_DEPTH} levels deep`],
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reasons: [`${unit} is not valid JSON: ${(error as Error).message}`] };
  }
  if (shape.duplicateKeys.length > 0) {
    const keys = [...new Set(shape.duplicateKeys)].map((key) => JSON.stringify(key)).join(', ');
    return {
      ok: false,
      reasons: [
        `${unit} has the key ${keys} twice in one object: a JSON reader would keep only one of the values`,
      ],
    };
  }
  return { ok: true, value };
};
