import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSEvent } from 'aws-lambda';
import {
  continuationMessage,
  handleContinuationEvent,
  refFromContinuation,
} from '../../../functions/ingest/handle-continuation';
import type { IngestInvocation } from '../../../functions/ingest/ingest-object';
import type { ObjectRef } from '../../../functions/ingest/object-ref';
import type { IngestSummary } from '../../../functions/ingest/rejects-report';

const ref: ObjectRef = {
  bucket: 'ingest-bucket',
  key: 'incoming/big orders.jsonl',
  versionId: 'v7',
  sequencer: '0055AED6DCD90281E5',
  version: 'v7',
  size: 123_456_789,
};

const summaryFor = (continued: boolean): IngestSummary => ({
  recordsRead: 10,
  accepted: 9,
  rejected: 1,
  bytesRead: 1_000,
  sourceBucket: ref.bucket,
  sourceKey: ref.key,
  versionId: 'v7',
  format: 'jsonl',
  complete: true,
  reportKey: `rejected/${ref.key}.errors.jsonl`,
  ...(continued ? { continuation: { checkpoint: 3, by: 'message' as const } } : {}),
});

const eventOf = (...bodies: string[]): SQSEvent =>
  ({
    Records: bodies.map((body, index) => ({ messageId: `m-${index}`, body, eventSource: 'aws:sqs' })),
  }) as SQSEvent;

const setup = (remainingMs: number, error?: Error) => {
  const calls: { ref: ObjectRef; invocation: IngestInvocation }[] = [];
  const deps = {
    ingest: async (called: ObjectRef, invocation: IngestInvocation) => {
      calls.push({ ref: called, invocation });
      if (error) throw error;
      return summaryFor(true);
    },
    logger: new Logger({ serviceName: 'ingest-test', logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'orderflow-test', serviceName: 'ingest-test' }),
    remainingTimeInMillis: () => remainingMs,
    continueReserveMs: 60_000,
  };
  return { deps, calls };
};

describe('continuation messages', () => {
  it('round-trips the object version a continuation names', () => {
    // Act
    const parsed = refFromContinuation(continuationMessage(ref, { seq: 3 }));

    // Assert
    expect(parsed).toEqual({ ref, checkpoint: 3 });
  });

  it('continues the object with a pause due once the reserve is reached, and reports no failure', async () => {
    // Arrange
    const { deps, calls } = setup(59_999);

    // Act
    const response = await handleContinuationEvent(eventOf(continuationMessage(ref, { seq: 3 })), deps);

    // Assert
    expect(response).toEqual({ batchItemFailures: [] });
    expect(calls.map((call) => call.ref)).toEqual([ref]);
    expect(calls[0]?.invocation.pauseNow?.()).toBe(true);
    expect(calls[0]?.invocation.timeLeftMs?.()).toBe(59_999 - 15_000);
  });

  it('reports a message it cannot read, and a continuation that fails, as batch item failures', async () => {
    // Arrange
    const { deps, calls } = setup(200_000, new Error('S3 is unavailable'));

    // Act
    const response = await handleContinuationEvent(
      eventOf('{"bucket":"ingest-bucket"}', continuationMessage(ref, { seq: 1 })),
      deps,
    );

    // Assert
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }, { itemIdentifier: 'm-1' }]);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.invocation.pauseNow?.()).toBe(false);
  });
});
