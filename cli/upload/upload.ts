import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { detectFormat } from '../../functions/ingest/formats';
import { INGEST_PREFIXES } from '../../lib/constructs/ingest-bucket';
import { UsageError } from '../shared/errors';

/** The key a file gets under incoming/ unless the caller names one. */
export const incomingKey = (file: string): string => `${INGEST_PREFIXES.incoming}${path.basename(file)}`;

const MIB = 1024 * 1024;
/** S3's limits: parts of at least 5 MiB, at most 10,000 of them. */
const MIN_PART = 5 * MIB;
const MAX_PARTS = 10_000;

/**
 * A part size that fits the file in S3's 10,000 parts: the default 5 MiB stops at about 48.8 GiB.
 * Whole MiB, at least 5 MiB.
 */
export const partSizeFor = (bytes: number): number =>
  Math.max(MIN_PART, Math.ceil(bytes / MAX_PARTS / MIB) * MIB);

/**
 * What ingest would do with the key, checked before a byte is sent: a key outside incoming/ is never
 * ingested, and ingest reads only the extensions it knows. Refused unless `force`.
 */
export const checkKey = (key: string, force: boolean): void => {
  if (force) return;
  if (!key.startsWith(INGEST_PREFIXES.incoming)) {
    throw new UsageError(
      `${key} is outside ${INGEST_PREFIXES.incoming}: ingest would never read it; use --key ${INGEST_PREFIXES.incoming}${path.basename(key)} (or --force to upload it anyway)`,
    );
  }
  const format = detectFormat(key);
  if (!format.ok) throw new UsageError(`${key}: ${format.reason} (or --force to upload it anyway)`);
};

/** A one-line progress bar, rewritten in place (only on a terminal). */
const progressBar = (stream: NodeJS.WriteStream) => (loaded: number, total: number) => {
  const width = 30;
  const done = total > 0 ? Math.min(1, loaded / total) : 1;
  const filled = Math.round(done * width);
  stream.write(
    `\r\x1b[2K  [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(done * 100).toFixed(0).padStart(3)}%  ${(loaded / MIB).toFixed(1)}/${(total / MIB).toFixed(1)} MiB`,
  );
};

/**
 * Uploads a file with lib-storage's Upload: one PutObject for a small file, multipart for a large
 * one with parts sized to fit (partSizeFor), a progress bar on a terminal.
 */
export const uploadFile = async (
  s3: S3Client,
  bucket: string,
  file: string,
  key: string = incomingKey(file),
  options: { readonly progress?: NodeJS.WriteStream } = {},
): Promise<{ readonly key: string; readonly bytes: number }> => {
  const info = await stat(file);
  if (!info.isFile()) throw new UsageError(`${file}: not a file`);
  const upload = new Upload({
    client: s3,
    params: { Bucket: bucket, Key: key, Body: createReadStream(file), ContentLength: info.size },
    partSize: partSizeFor(info.size),
    queueSize: 4,
  });
  const bar = options.progress?.isTTY ? progressBar(options.progress) : undefined;
  if (bar) upload.on('httpUploadProgress', (progress) => bar(progress.loaded ?? 0, info.size));
  await upload.done();
  if (bar && options.progress) options.progress.write('\n');
  return { key, bytes: info.size };
};
