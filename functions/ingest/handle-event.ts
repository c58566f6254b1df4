import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { S3Event } from 'aws-lambda';
import type { IngestOnce, IngestOutcome } from './ingest-once';
import { type InProgressPolicy, ingestWhenFree } from './ingest-when-free';
import { objectRefsFromEvent, skipReason } from './object-ref';

export interface EventDeps {
  readonly ingestOnce: IngestOnce;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The invocation's time left (the Lambda context's getRemainingTimeInMillis). */
  readonly remainingTimeInMillis: () => number;
  /** Time left at which a file continues in a fresh invocation. @default 60 s */
  readonly continueReserveMs?: number;
  /** For tests: how a pause while another invocation holds an object passes. @default a timer */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly inProgressPolicy?: Partial<InProgressPolicy>;
}

export interface SkippedObject {
  readonly sourceBucket: string;
  readonly sourceKey: string;
  readonly skipped: string;
}

export interface IngestedObject extends IngestOutcome {
  /** Present when another invocation held this object version when this one first tried. */
  readonly waitedForOtherInvocation?: true;
}

export type EventOutcome = IngestedObject | SkippedObject;

const recordMetrics = (metrics: Metrics, outcome: IngestOutcome): void => {
  metrics.addMetric('RecordsAccepted', MetricUnit.Count, outcome.accepted);
  metrics.addMetric('RecordsRejected', MetricUnit.Count, outcome.rejected);
  metrics.addMetric('BytesRead', MetricUnit.Bytes, outcome.bytesRead);
  metrics.addMetric('FilesRejected', MetricUnit.Count, outcome.complete ? 0 : 1);
};

/**
 * Ingests every object an S3 notification names, one after another. An object that fails throws
 * and fails the invocation; objects finished before it are remembered by the idempotency store,
 * so the retry skips them. An object another invocation is ingesting is waited for (see
 * ingest-when-free.ts for why waiting, not skipping, is the safe answer).
 */
export const handleS3Event = async (event: S3Event, deps: EventDeps): Promise<EventOutcome[]> => {
  const { logger, metrics } = deps;
  const outcomes: EventOutcome[] = [];
  for (const ref of objectRefsFromEvent(event)) {
    const skipped = skipReason(ref.key);
    if (skipped !== undefined) {
      logger.warn('object skipped', { bucket: ref.bucket, key: ref.key, reason: skipped });
      outcomes.push({ sourceBucket: ref.bucket, sourceKey: ref.key, skipped });
      continue;
    }
    logger.appendKeys({ correlationId: `${ref.bucket}/${ref.key}`, objectVersion: ref.version });
    try {
      const { outcome, waitedForOtherInvocation } = await ingestWhenFree(ref, {
        ingestOnce: deps.ingestOnce,
        logger,
        remainingTimeInMillis: deps.remainingTimeInMillis,
        ...(deps.continueReserveMs === undefined ? {} : { continueReserveMs: deps.continueReserveMs }),
        onInProgressElsewhere: () => metrics.addMetric('FilesAlreadyInProgress', MetricUnit.Count, 1),
        ...(deps.sleep ? { sleep: deps.sleep } : {}),
        ...(deps.inProgressPolicy ? { policy: deps.inProgressPolicy } : {}),
      });
      if (outcome.duplicate) {
        logger.info(
          waitedForOtherInvocation
            ? 'object version was ingested by another invocation, which this one waited for: nothing to do'
            : 'object version already ingested: nothing to do',
          { outcome },
        );
      } else if (outcome.continuation) {
        logger.info('object ingested in part: a continuation carries on', { outcome });
        metrics.addMetric('FilesContinued', MetricUnit.Count, 1);
      } else {
        logger.info('object ingested', { outcome });
        recordMetrics(metrics, outcome);
      }
      outcomes.push(waitedForOtherInvocation ? { ...outcome, waitedForOtherInvocation } : outcome);
    } finally {
      logger.removeKeys(['correlationId', 'objectVersion']);
    }
  }
  return outcomes;
};
