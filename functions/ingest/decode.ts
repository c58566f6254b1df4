import { UnreadableInput } from './parsers/types';

/**
 * Decodes a byte stream as UTF-8 and fails on the first invalid sequence instead of
 * substituting U+FFFD, which would change an order's content without anyone noticing.
 * A leading byte order mark is dropped.
 */
export async function* decodeUtf8(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let offset = 0;
  for await (const chunk of chunks) {
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      throw new UnreadableInput(
        `the file is not valid UTF-8 (an invalid byte sequence at or after byte ${offset})`,
      );
    }
    offset += chunk.byteLength;
    if (text.length > 0) yield text;
  }
  let rest: string;
  try {
    rest = decoder.decode();
  } catch {
    throw new UnreadableInput('the file is not valid UTF-8 (it ends inside a multi-byte character)');
  }
  if (rest.length > 0) yield rest;
}
