import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { OrderflowError } from '#shared/errors/index';
import type * as z from '#shared/schemas/zod';
import type { Checkpoint } from './checkpoint';
import type { ContinuationMessageSchema } from './continuation-schema.lazy';
import type { IngestInvocation } from './ingest-object';
import { DEFAULT_CONTINUE_RESERVE_MS, DEFAULT_ENQUEUE_RESERVE_MS } from './ingest-when-free';
import type { ObjectRef } from './object-ref';
import type { IngestSummary } from './rejects-report';

/** The continuation queue's message: which object version to continue, and the checkpoint that asked. */
export type ContinuationMessage = z.infer<typeof ContinuationMessageSchema>;

export const continuationMessage = (ref: ObjectRef, checkpoint: Pick<Checkpoint, 'seq'>): string =>
  JSON.stringify({
    bucket: ref.bucket,
    key: ref.key,
    ...(ref.versionId ? { versionId: ref.versionId } : {}),
    sequencer: ref.sequencer,
    version: ref.version,
    size: ref.size,
    checkpoint: checkpoint.seq,
  } satisfies ContinuationMessage);

/** Sends the continuation for `ref` to the continuation queue, which invokes the ingest function again. */
export const sendContinuation =
  (sqs: SQSClient, queueUrl: string) =>
  async (ref: ObjectRef, checkpoint: Checkpoint): Promise<void> => {
    await sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: continuationMessage(ref, checkpoint) }),
    );
  };

/** Nothing but the ingest itself writes this queue: a message it cannot read is a bug or a stranger. */
export class InvalidContinuation extends OrderflowError {
  constructor(body: string, reason: string) {
    super(
      `continuation message ${JSON.stringify(body.slice(0, 200))} is not valid: ${reason}`,
      'InvalidContinuation',
      true,
    );
  }
}

export const refFromContinuation = (body: string): { ref: ObjectRef; checkpoint: number } => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new InvalidContinuation(body, (error as Error).message);
  }
  // Loaded here, not at the function's start: most invocations are S3 notifications, which never read a
  // continuation, and building a zod schema costs cold-start time.
  const { ContinuationMessageSchema: schema } =
    require('./continuation-schema.lazy') as typeof import('./continuation-schema.lazy');
  const result = schema.safeParse(parsed);
  if (!result.success) throw new InvalidContinuation(body, result.error.message);
  const { checkpoint, versionId, ...rest } = result.data;
  return { ref: { ...rest, ...(versionId ? { versionId } : {}) }, checkpoint };
};

export interface ContinuationDepsOfEvent {
  /** Ingests from the object's current checkpoint (ingestObject with continuation deps). */
  readonly ingest: (ref: ObjectRef, invocation: IngestInvocation) => Promise<IngestSummary>;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly remainingTimeInMillis: () => number;
  /** @default 15 s */
  readonly enqueueReserveMs?: number;
  /** @default 60 s */
  readonly continueReserveMs?: number;
}

/**
 * Messages of the continuation queue (batch size 1). Each resumes its object from the checkpoint
 * stored now, whatever checkpoint the message names: a message delivered twice, or redelivered
 * after its invocation saved a checkpoint and crashed before sending the next message, then still
 * moves the file on, and two invocations resuming at once are settled by the conditional save.
 * A message that fails is reported as a batch item failure: it returns after its visibility timeout
 * and resumes from the last checkpoint saved; after maxReceiveCount it goes to the ingest-failures queue.
 */
export const handleContinuationEvent = async (
  event: SQSEvent,
  deps: ContinuationDepsOfEvent,
): Promise<SQSBatchResponse> => {
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  const enqueueReserve = deps.enqueueReserveMs ?? DEFAULT_ENQUEUE_RESERVE_MS;
  const continueReserve = deps.continueReserveMs ?? DEFAULT_CONTINUE_RESERVE_MS;
  for (const record of event.Records) {
    try {
      const { ref, checkpoint } = refFromContinuation(record.body);
      deps.logger.appendKeys({ correlationId: `${ref.bucket}/${ref.key}`, objectVersion: ref.version });
      const outcome = await deps.ingest(ref, {
        timeLeftMs: () => deps.remainingTimeInMillis() - enqueueReserve,
        pauseNow: () => deps.remainingTimeInMillis() < continueReserve,
      });
      if (outcome.continuation) {
        deps.logger.info('object continued in part', { outcome, fromMessageOfCheckpoint: checkpoint });
        if (outcome.continuation.by === 'message')
          deps.metrics.addMetric('FilesContinued', MetricUnit.Count, 1);
      } else {
        deps.logger.info('object ingested', { outcome, fromMessageOfCheckpoint: checkpoint });
        deps.metrics.addMetric('RecordsAccepted', MetricUnit.Count, outcome.accepted);
        deps.metrics.addMetric('RecordsRejected', MetricUnit.Count, outcome.rejected);
        deps.metrics.addMetric('BytesRead', MetricUnit.Bytes, outcome.bytesRead);
        deps.metrics.addMetric('FilesRejected', MetricUnit.Count, outcome.complete ? 0 : 1);
      }
    } catch (error) {
      deps.logger.error(
        'continuation failed; the message returns after its visibility timeout',
        error as Error,
      );
      failures.push({ itemIdentifier: record.messageId });
    } finally {
      deps.logger.removeKeys(['correlationId', 'objectVersion']);
    }
  }
  return { batchItemFailures: failures };
};
