import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { UnreadableInput } from './parsers/types';

// Duck-typed: zlib's errors may come from another realm (a test VM), where instanceof Error fails.
const zlibErrorCode = (error: unknown): string | undefined => {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('Z_') ? code : undefined;
};

/**
 * Gunzips a byte stream (concatenated gzip members included). Corrupt or truncated gzip data
 * becomes UnreadableInput; a failure of the source itself (the S3 connection) passes through
 * unchanged, because retrying the invocation can cure it and rejecting the file would not.
 */
export async function* gunzip(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  const inflater = createGunzip();
  const feeding = pipeline(Readable.from(chunks), inflater);
  feeding.catch(() => undefined);
  try {
    for await (const chunk of inflater as AsyncIterable<Buffer>) yield chunk;
  } catch (error) {
    if (zlibErrorCode(error) !== undefined) {
      throw new UnreadableInput(`the gzip data is truncated or corrupt (${(error as Error).message})`);
    }
    throw error;
  } finally {
    inflater.destroy();
  }
}
