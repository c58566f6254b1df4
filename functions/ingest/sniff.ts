import type { RecordFormat } from './formats';
import { UnreadableInput } from './parsers/types';

/** Content that is certainly not text, whatever the key says: named so the uploader knows what they sent. */
const SIGNATURES: readonly { readonly what: string; readonly bytes: readonly number[] }[] = [
  { what: 'a PNG image', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { what: 'a ZIP archive (.xlsx and .docx files are ZIP archives too)', bytes: [0x50, 0x4b, 0x03, 0x04] },
  { what: 'an empty ZIP archive', bytes: [0x50, 0x4b, 0x05, 0x06] },
  { what: 'gzip-compressed data (name the file with a .gz extension)', bytes: [0x1f, 0x8b] },
  { what: 'a PDF document', bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] },
];

const FORMAT_NAMES: Readonly<Record<RecordFormat, string>> = {
  jsonl: 'JSON Lines',
  json: 'a JSON array',
  csv: 'CSV',
};

const HEAD_BYTES = 8;

const startsWith = (head: Uint8Array, bytes: readonly number[]): boolean =>
  head.byteLength >= bytes.length && bytes.every((byte, index) => head[index] === byte);

async function* transcodeUtf16(
  encoding: 'utf-16le' | 'utf-16be',
  head: Uint8Array,
  rest: AsyncIterator<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  // The decoder drops the byte order mark; a lone surrogate fails rather than turning into U+FFFD.
  const decoder = new TextDecoder(encoding, { fatal: true });
  const decode = (chunk: Uint8Array | undefined): Buffer => {
    try {
      return Buffer.from(
        chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream: true }),
        'utf8',
      );
    } catch {
      throw new UnreadableInput(
        `the file starts with a ${encoding.toUpperCase()} byte order mark but is not valid ${encoding.toUpperCase()}`,
      );
    }
  };
  yield decode(head);
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield decode(next.value);
  const last = decode(undefined);
  if (last.byteLength > 0) yield last;
}

/**
 * Looks at the first bytes of the (decompressed) content before a parser does. A binary file
 * under a text name (a PNG, a ZIP, a PDF, gzip data without .gz) is rejected as a whole, with what
 * it is. Text is read as UTF-8: a UTF-8 byte order mark is dropped, and a UTF-16 file with a byte
 * order mark (LE or BE, as spreadsheet tools export "Unicode text") is transcoded to UTF-8.
 */
export interface SniffInfo {
  /** Bytes dropped before the content (a UTF-8 byte order mark). */
  skippedBytes: number;
  /** The content was transcoded (UTF-16): offsets in it are not offsets in the file. */
  transcoded: boolean;
}

export async function* sniffContent(
  chunks: AsyncIterable<Uint8Array>,
  format: RecordFormat,
  info: SniffInfo = { skippedBytes: 0, transcoded: false },
): AsyncGenerator<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  const parts: Uint8Array[] = [];
  let length = 0;
  let ended = false;
  while (length < HEAD_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    parts.push(next.value);
    length += next.value.byteLength;
  }
  const head = parts.length === 1 && parts[0] !== undefined ? parts[0] : Buffer.concat(parts);
  for (const signature of SIGNATURES) {
    if (startsWith(head, signature.bytes)) {
      throw new UnreadableInput(`the content is ${signature.what}, not ${FORMAT_NAMES[format]}`);
    }
  }
  if (startsWith(head, [0xff, 0xfe]) || startsWith(head, [0xfe, 0xff])) {
    const encoding = head[0] === 0xff ? 'utf-16le' : 'utf-16be';
    info.transcoded = true;
    yield* transcodeUtf16(encoding, head, ended ? emptyIterator() : iterator);
    return;
  }
  const bom = startsWith(head, [0xef, 0xbb, 0xbf]);
  if (bom) info.skippedBytes = 3;
  const text = bom ? head.subarray(3) : head;
  if (text.byteLength > 0) yield text;
  if (ended) return;
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
}

const emptyIterator = (): AsyncIterator<Uint8Array> => ({
  next: async () => ({ done: true, value: undefined }),
});
