import type { S3EventRecord } from 'aws-lambda';

/**
 * Encodes a key as S3 writes it into event notifications: form encoding (a space becomes `+`,
 * everything but letters, digits, `-_.*` and `/` is percent-encoded as UTF-8).
 */
export const formEncodeKey = (key: string): string =>
  [...key]
    .map((char) => {
      if (/[A-Za-z0-9\-_.*/]/.test(char)) return char;
      if (char === ' ') return '+';
      return [...Buffer.from(char, 'utf8')]
        .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
        .join('');
    })
    .join('');

export interface CreatedObject {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  /** Without quotes, as notifications carry it. */
  readonly eTag: string;
  readonly versionId?: string;
  readonly sequencer: string;
  /** `Put`, `Copy`, `CompleteMultipartUpload`. */
  readonly how: string;
}

export const objectCreatedRecord = (
  object: CreatedObject,
  region: string,
  configurationId: string,
): S3EventRecord => ({
  eventVersion: '2.1',
  eventSource: 'aws:s3',
  awsRegion: region,
  eventTime: new Date().toISOString(),
  eventName: `ObjectCreated:${object.how}`,
  userIdentity: { principalId: 'AWS:LOCAL' },
  requestParameters: { sourceIPAddress: '127.0.0.1' },
  responseElements: { 'x-amz-request-id': 'LOCAL', 'x-amz-id-2': 'LOCAL' },
  s3: {
    s3SchemaVersion: '1.0',
    configurationId,
    bucket: {
      name: object.bucket,
      ownerIdentity: { principalId: 'LOCAL' },
      arn: `arn:aws:s3:::${object.bucket}`,
    },
    object: {
      key: formEncodeKey(object.key),
      size: object.size,
      eTag: object.eTag,
      ...(object.versionId ? { versionId: object.versionId } : {}),
      sequencer: object.sequencer,
    },
  },
});

/** Whether a notification's event list covers this kind of creation (`s3:ObjectCreated:*` covers all). */
export const coversEvent = (events: readonly string[], how: string): boolean =>
  events.some((event) => event === 's3:ObjectCreated:*' || event === `s3:ObjectCreated:${how}`);
