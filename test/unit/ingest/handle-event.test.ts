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
  return { deps: { ingestOnce, logger, metrics }, added, refs };
};

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
});
