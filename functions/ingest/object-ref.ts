import type { S3Event } from 'aws-lambda';
import { OrderflowError } from '#shared/errors/index';

/**
 * One S3 object version to ingest. `version` is what makes a notification unique: the
 * versionId on a versioned bucket, else the sequencer, which S3 raises for every write of a key.
 * It is plain JSON because the idempotency layer hashes and stores it.
 */
export interface ObjectRef {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
  readonly sequencer: string;
  readonly version: string;
  readonly size: number;
}

/** The key in an S3 notification cannot be decoded: S3 never sends one, so this is not a file problem. */
export class InvalidObjectKey extends OrderflowError {
  constructor(rawKey: string) {
    super(`object key ${JSON.stringify(rawKey)} is not valid form encoding`, 'InvalidObjectKey', true);
  }
}

/**
 * S3 notifications carry keys form-encoded (application/x-www-form-urlencoded): a space arrives
 * as `+` and a literal plus as `%2B`, so `+` must become a space before percent-decoding.
 */
export const decodeS3Key = (rawKey: string): string => {
  try {
    return decodeURIComponent(rawKey.replace(/\+/g, ' '));
  } catch {
    throw new InvalidObjectKey(rawKey);
  }
};

export const objectRefsFromEvent = (event: S3Event): ObjectRef[] =>
  // A bucket's s3:TestEvent (sent when a notification is configured) has no Records.
  (event.Records ?? []).map((record) => {
    const { bucket, object } = record.s3;
    const key = decodeS3Key(object.key);
    const versionId = object.versionId || undefined;
    return {
      bucket: bucket.name,
      key,
      ...(versionId ? { versionId } : {}),
      sequencer: object.sequencer,
      version: versionId ?? `sequencer:${object.sequencer}`,
      size: object.size,
    };
  });

/** Where users drop order files; the S3 notification filters on it too. */
export const INCOMING_PREFIX = 'incoming/';

/**
 * Objects that are never orders. The notification filter covers incoming/ only, but a wider
 * filter must not make ingest read its own reports: that would write reports about reports forever.
 */
export const skipReason = (key: string): string | undefined => {
  if (key.endsWith('/')) return 'the key is a folder marker, not a file';
  if (key.startsWith('rejected/')) return 'the key is a rejects report written by ingest itself';
  if (!key.startsWith(INCOMING_PREFIX))
    return `the key is outside ${INCOMING_PREFIX}: only files there are orders`;
  return undefined;
};
