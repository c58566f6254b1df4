import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { UnreadableInput } from './parsers/types';

// Duck-typed: zlib's errors may come from another realm (a test VM), where instanceof Error fails.
const zlibErrorCode = (error: unknown): string | undefined => {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('Z_') ? code : undefined;
};

/** The most a .gz file may decompress to. @see IngestConfig.maxDecompressedBytes */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 1024 ** 3;

/**
 * Gunzips a byte stream (concatenated gzip members included). Corrupt or truncated gzip data
 * becomes UnreadableInput; a failure of the source itself (the S3 connection) passes through
 * unchanged, because retrying the invocation can cure it and rejecting the file would not.
 *
 * Output is streamed, so a decompression bomb cannot fill memory; what it can do is keep an
 * invocation busy for hours. Past `maxBytes` of output the rest is UnreadableInput: the records
 * decoded so far stand, the rest of the file is rejected with the reason.
 */
export async function* gunzip(
  chunks: AsyncIterable<Uint8Array>,
  maxBytes: number = DEFAULT_MAX_DECOMPRESSED_BYTES,
): AsyncGenerator<Buffer> {
  let compressedBytes = 0;
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const chunk of chunks) {
      compressedBytes += chunk.byteLength;
      yield chunk;
    }
  }
  const inflater = createGunzip();
  const feeding = pipeline(Readable.from(counted()), inflater);
  feeding.catch(() => undefined);
  let output = 0;
  try {
    for await (const chunk of inflater as AsyncIterable<Buffer>) {
      output += chunk.byteLength;
      if (output > maxBytes) {
        throw new UnreadableInput(
          `the file decompresses to more than ${maxBytes} bytes, the most a .gz file may hold ` +
            `(${compressedBytes} compressed bytes read so far): a decompression bomb, or a file to split`,
        );
      }
      yield chunk;
    }
  } catch (error) {
    if (zlibErrorCode(error) !== undefined) {
      if (compressedBytes === 0) {
        throw new UnreadableInput('the file is empty (0 bytes): a .gz file must hold gzip data');
      }
      throw new UnreadableInput(`the gzip data is truncated or corrupt (${(error as Error).message})`);
    }
    throw error;
  } finally {
    inflater.destroy();
  }
}
