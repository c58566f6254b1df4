import type { Context, S3Event, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { makeDocumentClient, makeDynamoDbClient, makeS3Client, makeSqsClient } from '#shared/aws/clients';
import { lostAnswerSafePersistenceLayer } from '#shared/aws/idempotency-store';
import { env, envOr } from '#shared/env';
import { ConfigurationError } from '#shared/errors/index';
import { makePowertools } from '#shared/powertools';
import { CheckpointStore } from './checkpoint';
import { DEFAULT_MAX_IN_FLIGHT } from './enqueue';
import { DEFAULT_MAX_DECOMPRESSED_BYTES } from './gunzip';
import { handleContinuationEvent, sendContinuation } from './handle-continuation';
import { type EventOutcome, handleS3Event } from './handle-event';
import { type ContinuationDeps, type IngestDeps, ingestObject } from './ingest-object';
import { makeIngestIdempotencyConfig, makeIngestOnce } from './ingest-once';
import { DEFAULT_CONTINUE_RESERVE_MS } from './ingest-when-free';

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

/**
 * The continuation queue: a file that cannot finish in one invocation continues through it. Unset
 * (as in tests that do not exercise it), every file is read from start to end in one invocation.
 */
const continuationQueueUrl = envOr('INGEST_CONTINUATION_QUEUE_URL', '');
/** Time left at which an invocation hands the rest of a file to a continuation. */
const continueReserveMs = Number(envOr('INGEST_CONTINUE_RESERVE_MS', String(DEFAULT_CONTINUE_RESERVE_MS)));
if (!Number.isSafeInteger(continueReserveMs) || continueReserveMs < 0) {
  throw new ConfigurationError(
    `INGEST_CONTINUE_RESERVE_MS must be a non-negative integer, got ${String(continueReserveMs)}`,
  );
}

const s3 = tracer.captureAWSv3Client(makeS3Client());
const sqs = tracer.captureAWSv3Client(makeSqsClient());
const dynamodb = makeDynamoDbClient();
const continuation: ContinuationDeps | undefined =
  continuationQueueUrl === ''
    ? undefined
    : {
        checkpoints: new CheckpointStore(makeDocumentClient(dynamodb), idempotencyTable),
        continueLater: sendContinuation(sqs, continuationQueueUrl),
      };
const ingestDeps: IngestDeps = {
  s3,
  sqs,
  config: { queueUrl, maxInFlight, maxDecompressedBytes },
  ...(continuation ? { continuation } : {}),
};
const idempotencyConfig = makeIngestIdempotencyConfig();
const ingestOnce = makeIngestOnce(
  ingestDeps,
  lostAnswerSafePersistenceLayer({ tableName: idempotencyTable, client: dynamodb }),
  idempotencyConfig,
);

const isSqsEvent = (event: S3Event | SQSEvent): event is SQSEvent =>
  event.Records?.[0]?.eventSource === 'aws:sqs';

/**
 * S3 ObjectCreated notifications on incoming/ (one invocation may name several objects), and
 * messages of the continuation queue, each continuing one file from its checkpoint.
 */
export async function handler(event: S3Event, context: Context): Promise<EventOutcome[]>;
export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse>;
export async function handler(
  event: S3Event | SQSEvent,
  context: Context,
): Promise<EventOutcome[] | SQSBatchResponse> {
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
  const remainingTimeInMillis = () => context.getRemainingTimeInMillis();
  try {
    if (isSqsEvent(event)) {
      return await handleContinuationEvent(event, {
        ingest: (ref, invocation) => ingestObject(ref, ingestDeps, invocation),
        logger,
        metrics,
        remainingTimeInMillis,
        continueReserveMs,
      });
    }
    return await handleS3Event(event, {
      ingestOnce,
      logger,
      metrics,
      remainingTimeInMillis,
      continueReserveMs,
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
}
