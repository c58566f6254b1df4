import { IdempotencyAlreadyInProgressError } from '@aws-lambda-powertools/idempotency';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { handleS3Event } from '../../../functions/ingest/handle-event';
import type { IngestOutcome } from '../../../functions/ingest/ingest-once';
import type { ObjectRef } from '../../../functions/ingest/object-ref';
import { s3Event } from '../../helpers/s3-event';

const outcomeFor = (ref: ObjectRef, duplicate = false): IngestOutcome => ({
  recordsRead: 3,
  accepted: 2,
  rejected: 1,
  bytesRead: 300,
  sourceBucket: ref.bucket,
  sourceKey: ref.key,
  versionId: ref.versionId ?? null,
  format: 'jsonl',
  complete: true,
  reportKey: `rejected/${ref.key}.errors.jsonl`,
  duplicate,
});

const setup = (duplicate = false) => {
  const logger = new Logger({ serviceName: 'ingest-test', logLevel: 'SILENT' });
  const metrics = new Metrics({ namespace: 'orderflow-test', serviceName: 'ingest-test' });
  const added = jest.spyOn(metrics, 'addMetric');
  const refs: ObjectRef[] = [];
  const ingestOnce = async (ref: ObjectRef) => {
    refs.push(ref);
    return outcomeFor(ref, duplicate);
  };
  return { deps: { ingestOnce, logger, metrics, remainingTimeInMillis: () => 60_000 }, added, refs };
};

const inProgress = () => new IdempotencyAlreadyInProgressError('There is already an execution in progress');

/**
 * An invocation with `remainingMs` left whose ingestOnce answers with `answers` in turn (an error is
 * thrown); pauses advance a fake clock instead of waiting.
 */
const contended = (remainingMs: number, answers: (IngestOutcome | Error)[]) => {
  const base = setup();
  let elapsed = 0;
  const pauses: number[] = [];
  let attempts = 0;
  const ingestOnce = async (ref: ObjectRef) => {
    attempts += 1;
    const answer = answers.shift() ?? outcomeFor(ref, true);
    if (answer instanceof Error) throw answer;
    return answer;
  };
  const deps = {
    ...base.deps,
    ingestOnce,
    remainingTimeInMillis: () => remainingMs - elapsed,
    sleep: async (ms: number) => {
      pauses.push(ms);
      elapsed += ms;
    },
  };
  return { deps, added: base.added, pauses, attempts: () => attempts };
};

const ref = { bucket: 'b', key: 'incoming/a.jsonl' };
const refOf = (): ObjectRef => ({ ...ref, sequencer: '01', version: 'sequencer:01', size: 0 });

describe('handleS3Event', () => {
  it('ingests every object of the event with its decoded key, in order', async () => {
    // Arrange
    const { deps, refs } = setup();
    const event = s3Event(
      { bucket: 'b', key: 'incoming/a b.jsonl' },
      { bucket: 'b', key: 'incoming/c+d.csv' },
    );

    // Act
    const outcomes = await handleS3Event(event, deps);

    // Assert
    expect(refs.map((ref) => ref.key)).toEqual(['incoming/a b.jsonl', 'incoming/c+d.csv']);
    expect(outcomes).toHaveLength(2);
  });

  it('records accepted, rejected, bytes and file metrics for an ingested object', async () => {
    // Arrange
    const { deps, added } = setup();

    // Act
    await handleS3Event(s3Event({ bucket: 'b', key: 'incoming/a.jsonl' }), deps);

    // Assert
    expect(added.mock.calls.map(([name, , value]) => [name, value])).toEqual([
      ['RecordsAccepted', 2],
      ['RecordsRejected', 1],
      ['BytesRead', 300],
      ['FilesRejected', 0],
    ]);
  });

  it('records no metrics for a duplicate delivery, so nothing is counted twice', async () => {
    // Arrange
    const { deps, added } = setup(true);

    // Act
    const [outcome] = await handleS3Event(s3Event({ bucket: 'b', key: 'incoming/a.jsonl' }), deps);

    // Assert
    expect(outcome).toMatchObject({ duplicate: true });
    expect(added).not.toHaveBeenCalled();
  });

  it('skips keys that are not order files without ingesting them', async () => {
    // Arrange
    const { deps, refs } = setup();

    // Act
    const outcomes = await handleS3Event(
      s3Event(
        { bucket: 'b', key: 'incoming/' },
        { bucket: 'b', key: 'rejected/incoming/a.jsonl.errors.jsonl' },
      ),
      deps,
    );

    // Assert
    expect(refs).toEqual([]);
    expect(outcomes.map((outcome) => 'skipped' in outcome)).toEqual([true, true]);
  });

  it('lets a failure through so the invocation is retried', async () => {
    // Arrange
    const { deps } = setup();
    const failing = { ...deps, ingestOnce: async () => Promise.reject(new Error('SQS unavailable')) };

    // Act
    const handling = handleS3Event(s3Event({ bucket: 'b', key: 'incoming/a.jsonl' }), failing);

    // Assert
    await expect(handling).rejects.toThrow('SQS unavailable');
  });

  it('waits for another invocation that holds the object and returns its stored outcome, counted once', async () => {
    // Arrange
    const { deps, added, pauses } = contended(60_000, [
      inProgress(),
      inProgress(),
      outcomeFor(refOf(), true),
    ]);

    // Act
    const [outcome] = await handleS3Event(s3Event(ref), deps);

    // Assert
    expect(outcome).toEqual({ ...outcomeFor(refOf(), true), waitedForOtherInvocation: true });
    expect(pauses).toEqual([500, 1_000]);
    expect(added.mock.calls.map(([name, , value]) => [name, value])).toEqual([['FilesAlreadyInProgress', 1]]);
  });

  it('ingests the object itself once the other invocation lets go of it, with the usual metrics', async () => {
    // Arrange: the holder failed (marker deleted) or crashed (marker expired).
    const { deps, added } = contended(60_000, [inProgress(), outcomeFor(refOf())]);

    // Act
    const [outcome] = await handleS3Event(s3Event(ref), deps);

    // Assert
    expect(outcome).toMatchObject({ duplicate: false, accepted: 2, waitedForOtherInvocation: true });
    expect(added.mock.calls.map(([name]) => name)).toEqual([
      'FilesAlreadyInProgress',
      'RecordsAccepted',
      'RecordsRejected',
      'BytesRead',
      'FilesRejected',
    ]);
  });

  it('backs off up to five seconds between attempts and never past its reserve', async () => {
    // Arrange: 42 s left, 30 s kept in reserve: 12 s to wait in.
    const { deps, pauses } = contended(42_000, Array.from({ length: 20 }, inProgress));

    // Act
    const handling = handleS3Event(s3Event(ref), deps);

    // Assert
    await expect(handling).rejects.toThrow(IdempotencyAlreadyInProgressError);
    expect(pauses).toEqual([500, 1_000, 2_000, 4_000, 4_500]);
  });

  it('fails so Lambda retries the event when the other invocation still holds the object as time runs out', async () => {
    // Arrange
    const { deps, added, attempts } = contended(30_000, [inProgress(), outcomeFor(refOf(), true)]);

    // Act
    const handling = handleS3Event(s3Event(ref), deps);

    // Assert
    await expect(handling).rejects.toThrow(IdempotencyAlreadyInProgressError);
    expect(attempts()).toBe(1);
    expect(added.mock.calls.map(([name, , value]) => [name, value])).toEqual([['FilesAlreadyInProgress', 1]]);
  });
});
