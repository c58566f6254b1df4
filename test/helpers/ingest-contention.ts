import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { INGEST_KEY_PREFIX, makeIngestIdempotencyConfig } from '../../functions/ingest/ingest-once';
import type { ObjectRef } from '../../functions/ingest/object-ref';

/**
 * Holds every GetObject of `s3` until `release` is called: an invocation parked mid-ingest, its
 * idempotency marker taken. `reached` resolves when the first GetObject is held.
 */
export const holdObjectReads = (s3: S3Client): { reached: Promise<void>; release: () => void } => {
  const reached = Promise.withResolvers<void>();
  const released = Promise.withResolvers<void>();
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'GetObjectCommand') {
        reached.resolve();
        await released.promise;
      }
      return next(args);
    },
    { step: 'initialize', name: 'holdObjectReads' },
  );
  return { reached: reached.promise, release: () => released.resolve() };
};

/**
 * Leaves the INPROGRESS marker an ingest invocation takes for `ref`, as Powertools itself writes it,
 * expiring in `msToLive`: what an invocation that crashed that long before its deadline leaves behind.
 */
export const leaveInProgressMarker = async (
  dynamodb: DynamoDBClient,
  table: string,
  ref: Pick<ObjectRef, 'bucket' | 'key' | 'version'>,
  msToLive: number,
): Promise<void> => {
  const persistence = new DynamoDBPersistenceLayer({ tableName: table, awsSdkV3Client: dynamodb });
  persistence.configure({ config: makeIngestIdempotencyConfig(), keyPrefix: INGEST_KEY_PREFIX });
  await persistence.saveInProgress(ref, msToLive);
};
