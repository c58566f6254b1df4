import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context, S3Event } from 'aws-lambda';
import { makeDynamoDbClient, makeS3Client, makeSqsClient } from '#shared/aws/clients';
import { env, envOr } from '#shared/env';
import { ConfigurationError } from '#shared/errors/index';
import { makePowertools } from '#shared/powertools';
import { DEFAULT_MAX_IN_FLIGHT } from './enqueue';
import { DEFAULT_MAX_DECOMPRESSED_BYTES } from './gunzip';
import { type EventOutcome, handleS3Event } from './handle-event';
import { makeIngestIdempotencyConfig, makeIngestOnce } from './ingest-once';

const { logger, metrics, tracer } = makePowertools('ingest');

const queueUrl = env('ORDERS_QUEUE_URL');
const idempotencyTable = env('IDEMPOTENCY_TABLE');
/** SendMessageBatch calls in flight per file; each call carries 10 orders. */
const maxInFlight = Number(envOr('INGEST_MAX_IN_FLIGHT', String(DEFAULT_MAX_IN_FLIGHT)));
if (!Number.isInteger(maxInFlight) || maxInFlight < 1 || maxInFlight > 64) {
  throw new ConfigurationError(`INGEST_MAX_IN_FLIGHT must be an integer from 1 to 64, got ${maxInFlight}`);
}

/** The most one .gz file may decompress to: bounds the time a decompression bomb can take. */
const maxDecompressedBytes = Number(
  envOr('INGEST_MAX_DECOMPRESSED_BYTES', String(DEFAULT_MAX_DECOMPRESSED_BYTES)),
);
if (!Number.isSafeInteger(maxDecompressedBytes) || maxDecompressedBytes < 1) {
  throw new ConfigurationError(
    `INGEST_MAX_DECOMPRESSED_BYTES must be a positive integer, got ${String(maxDecompressedBytes)}`,
  );
}

const s3 = tracer.captureAWSv3Client(makeS3Client());
const sqs = tracer.captureAWSv3Client(makeSqsClient());
const idempotencyConfig = makeIngestIdempotencyConfig();
const ingestOnce = makeIngestOnce(
  { s3, sqs, config: { queueUrl, maxInFlight, maxDecompressedBytes } },
  new DynamoDBPersistenceLayer({ tableName: idempotencyTable, awsSdkV3Client: makeDynamoDbClient() }),
  idempotencyConfig,
);

/** S3 ObjectCreated notifications on incoming/: one invocation may name several objects. */
export const handler = async (event: S3Event, context: Context): Promise<EventOutcome[]> => {
  // The in-progress marker expires with this invocation, so a crashed run can be retried.
  idempotencyConfig.registerLambdaContext(context);
  logger.addContext(context);
  const segment = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
  const subsegment = segment?.addNewSubsegment('## ingest.handler');
  if (subsegment) {
    tracer.setSegment(subsegment);
    tracer.annotateColdStart();
    tracer.addServiceNameAnnotation();
  }
  try {
    return await handleS3Event(event, {
      ingestOnce,
      logger,
      metrics,
      remainingTimeInMillis: () => context.getRemainingTimeInMillis(),
    });
  } catch (error) {
    logger.error('ingest failed; the invocation will be retried', error as Error);
    if (subsegment) tracer.addErrorAsMetadata(error as Error);
    throw error;
  } finally {
    subsegment?.close();
    if (segment) tracer.setSegment(segment);
    // A duplicate or skipped object adds no metrics; publishing nothing would only log a warning.
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
