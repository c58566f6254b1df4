import type { S3Event, S3EventRecord } from 'aws-lambda';

/**
 * Encodes a key the way S3 writes it into a notification: form encoding, so a space becomes
 * `+`, a plus becomes `%2B`, and `/` stays as it is.
 */
export const encodeS3Key = (key: string): string =>
  encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');

export interface S3ObjectCreated {
  readonly bucket: string;
  /** The decoded key; the factory encodes it. */
  readonly key: string;
  readonly versionId?: string;
  readonly sequencer?: string;
  readonly size?: number;
}

let sequence = 0;

/** A fresh, increasing sequencer, as S3 assigns to every write of a key. */
export const nextSequencer = (): string => {
  sequence += 1;
  return `00${Date.now().toString(16).toUpperCase()}${sequence.toString(16).padStart(6, '0').toUpperCase()}`;
};

export const s3EventRecord = (object: S3ObjectCreated): S3EventRecord => ({
  eventVersion: '2.1',
  eventSource: 'aws:s3',
  awsRegion: 'us-east-1',
  eventTime: new Date().toISOString(),
  eventName: 'ObjectCreated:Put',
  userIdentity: { principalId: 'AWS:TESTPRINCIPAL' },
  requestParameters: { sourceIPAddress: '127.0.0.1' },
  responseElements: { 'x-amz-request-id': 'TESTREQUEST', 'x-amz-id-2': 'TESTID2' },
  s3: {
    s3SchemaVersion: '1.0',
    configurationId: 'orderflow-ingest',
    bucket: {
      name: object.bucket,
      ownerIdentity: { principalId: 'TESTOWNER' },
      arn: `arn:aws:s3:::${object.bucket}`,
    },
    object: {
      key: encodeS3Key(object.key),
      size: object.size ?? 0,
      eTag: '0123456789abcdef0123456789abcdef',
      ...(object.versionId ? { versionId: object.versionId } : {}),
      sequencer: object.sequencer ?? nextSequencer(),
    },
  },
});

/** An ObjectCreated notification for one or more objects. */
export const s3Event = (...objects: S3ObjectCreated[]): S3Event => ({ Records: objects.map(s3EventRecord) });
