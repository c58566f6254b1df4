import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { INGEST_PREFIXES } from '../../lib/constructs/ingest-bucket';

/** The key a file gets under incoming/ unless the caller names one. */
export const incomingKey = (file: string): string => `${INGEST_PREFIXES.incoming}${path.basename(file)}`;

/** Uploads a file with PutObject, streamed, exactly as a user's own upload would arrive. */
export const uploadFile = async (
  s3: S3Client,
  bucket: string,
  file: string,
  key: string = incomingKey(file),
): Promise<{ readonly key: string; readonly bytes: number }> => {
  const { size } = await stat(file);
  await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: createReadStream(file), ContentLength: size }),
  );
  return { key, bytes: size };
};
