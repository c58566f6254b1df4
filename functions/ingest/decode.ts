import { isUtf8 } from 'node:buffer';
import { UnreadableInput } from './parsers/types';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Bytes a sequence needs in total, from its lead byte; 0 for a byte that cannot lead one. */
const sequenceLength = (lead: number): number =>
  lead < 0x80
    ? 1
    : lead >= 0xc2 && lead <= 0xdf
      ? 2
      : lead >= 0xe0 && lead <= 0xef
        ? 3
        : lead >= 0xf0 && lead <= 0xf4
          ? 4
          : 0;

/** Where an incomplete sequence at the end of `bytes` starts (bytes.length when there is none). */
const incompleteTail = (bytes: Uint8Array): number => {
  for (let index = bytes.length - 1; index >= 0 && index >= bytes.length - 3; index -= 1) {
    const byte = bytes[index] ?? 0;
    if ((byte & 0xc0) !== 0x80) {
      const length = sequenceLength(byte);
      return length > bytes.length - index ? index : bytes.length;
    }
  }
  return bytes.length;
};

/** Second-byte range of each lead byte (RFC 3629): excludes overlong forms, surrogates and > U+10FFFF. */
const secondByteRange = (lead: number): readonly [number, number] =>
  lead === 0xe0
    ? [0xa0, 0xbf]
    : lead === 0xed
      ? [0x80, 0x9f]
      : lead === 0xf0
        ? [0x90, 0xbf]
        : lead === 0xf4
          ? [0x80, 0x8f]
          : [0x80, 0xbf];

/** Length of the longest prefix made of whole, valid UTF-8 sequences. Runs only once isUtf8 said no. */
const validPrefix = (bytes: Uint8Array): number => {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index] ?? 0;
    const length = sequenceLength(lead);
    if (length === 0 || index + length > bytes.length) return index;
    for (let next = 1; next < length; next += 1) {
      const [low, high] = next === 1 ? secondByteRange(lead) : [0x80, 0xbf];
      const byte = bytes[index + next] ?? 0;
      if (byte < low || byte > high) return index;
    }
    index += length;
  }
  return index;
};

/**
 * Decodes a byte stream as UTF-8 and fails on the first invalid sequence instead of
 * substituting U+FFFD, which would change an order's content without anyone noticing.
 * Everything before the invalid sequence is decoded and yielded first, so the records before it
 * still count. A leading byte order mark is dropped.
 */
export async function* decodeUtf8(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  let pending: Buffer = Buffer.alloc(0);
  let offset = 0;
  let first = true;
  for await (const chunk of chunks) {
    let bytes: Buffer =
      pending.length === 0
        ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
        : Buffer.concat([pending, chunk]);
    if (first) {
      // A byte order mark may arrive split across chunks: wait until three bytes tell.
      if (bytes.length < 3 && BOM.subarray(0, bytes.length).equals(bytes)) {
        pending = bytes;
        continue;
      }
      if (BOM.equals(bytes.subarray(0, 3))) {
        bytes = bytes.subarray(3);
        offset += 3;
      }
      first = false;
    }
    const cut = incompleteTail(bytes);
    const whole = bytes.subarray(0, cut);
    if (!isUtf8(whole)) {
      const valid = validPrefix(whole);
      if (valid > 0) yield Buffer.from(whole.buffer, whole.byteOffset, valid).toString('utf8');
      throw new UnreadableInput(
        `the file is not valid UTF-8 (an invalid byte sequence at byte ${offset + valid})`,
      );
    }
    if (whole.length > 0) yield Buffer.from(whole.buffer, whole.byteOffset, whole.length).toString('utf8');
    offset += whole.length;
    pending = bytes.subarray(cut);
  }
  if (pending.length > 0) {
    throw new UnreadableInput('the file is not valid UTF-8 (it ends inside a multi-byte character)');
  }
}
