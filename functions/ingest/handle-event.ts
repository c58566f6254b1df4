import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { S3Event } from 'aws-lambda';
import type { IngestOutcome } from './ingest-once';
import { type ObjectRef, objectRefsFromEvent, skipReason } from './object-ref';

export interface EventDeps {
  readonly ingestOnce: (ref: ObjectRef) => Promise<IngestOutcome>;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export interface SkippedObject {
  readonly sourceBucket: string;
  readonly sourceKey: string;
  readonly skipped: string;
}

export type EventOutcome = IngestOutcome | SkippedObject;

const recordMetrics = (metrics: Metrics, outcome: IngestOutcome): void => {
  metrics.addMetric('RecordsAccepted', MetricUnit.Count, outcome.accepted);
  metrics.addMetric('RecordsRejected', MetricUnit.Count, outcome.rejected);
  metrics.addMetric('BytesRead', MetricUnit.Bytes, outcome.bytesRead);
  metrics.addMetric('FilesRejected', MetricUnit.Count, outcome.complete ? 0 : 1);
};

/**
 * Ingests every object an S3 notification names, one after another. An object that fails throws
 * and fails the invocation; objects finished before it are remembered by the idempotency store,
 * so the retry skips them.
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
      const outcome = await deps.ingestOnce(ref);
      if (outcome.duplicate) {
        logger.info('object version already ingested: nothing to do', { outcome });
      } else {
        logger.info('object ingested', { outcome });
        recordMetrics(metrics, outcome);
      }
      outcomes.push(outcome);
    } finally {
      logger.removeKeys(['correlationId', 'objectVersion']);
    }
  }
  return outcomes;
};
