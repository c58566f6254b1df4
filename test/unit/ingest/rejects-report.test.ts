import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import {
  type IngestSummary,
  MIN_PART_BYTES,
  RejectsReport,
  reportKeyFor,
} from '../../../functions/ingest/rejects-report';

const MIB = 1024 * 1024;

const s3Mock = mockClient(S3Client);

const summary: IngestSummary = {
  recordsRead: 3,
  accepted: 1,
  rejected: 2,
  bytesRead: 100,
  sourceBucket: 'bucket',
  sourceKey: 'incoming/a.jsonl',
  versionId: null,
  format: 'jsonl',
  complete: true,
  reportKey: 'rejected/incoming/a.jsonl.errors.jsonl',
};

const bodyText = (body: unknown): string => Buffer.from(body as Uint8Array).toString('utf8');
const bodyBytes = (body: unknown): number => (body as Uint8Array).byteLength;

describe('RejectsReport', () => {
  beforeEach(() => {
    s3Mock.reset();
    s3Mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-1' });
    s3Mock.on(UploadPartCommand).callsFake((input) => Promise.resolve({ ETag: `etag-${input.PartNumber}` }));
  });

  it('puts a small report in one PutObject, the summary last', async () => {
    // Arrange
    const report = new RejectsReport(
      new S3Client({ region: 'us-east-1' }),
      'bucket',
      reportKeyFor('incoming/a.jsonl'),
    );

    // Act
    await report.add({ line: 2, orderId: 'ord-2', reasons: ['totalCents is 1 but the items add up to 2'] });
    await report.add({ line: 3, reasons: ['line is not valid JSON: Unexpected token'] });
    await report.finish(summary);

    // Assert
    const puts = s3Mock.commandCalls(PutObjectCommand);
    expect(puts).toHaveLength(1);
    expect(puts[0]?.args[0].input).toMatchObject({
      Bucket: 'bucket',
      Key: 'rejected/incoming/a.jsonl.errors.jsonl',
      ContentType: 'application/x-ndjson',
    });
    const lines = bodyText(puts[0]?.args[0].input.Body)
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      { line: 2, orderId: 'ord-2', reasons: ['totalCents is 1 but the items add up to 2'] },
      { line: 3, reasons: ['line is not valid JSON: Unexpected token'] },
      { summary },
    ]);
  });

  it('switches to a multipart upload of 5 MiB parts once a part fills, uploading parts as they fill', async () => {
    // Arrange: about 12 MiB of rejects, in lines of about 1 KiB.
    const report = new RejectsReport(
      new S3Client({ region: 'us-east-1' }),
      'bucket',
      'rejected/x.errors.jsonl',
    );
    const reasons = ['x'.repeat(1_000)];
    const lines = Math.ceil((12 * MIB) / 1_024);
    let partsBeforeFinish = 0;

    // Act
    for (let line = 1; line <= lines; line += 1) {
      await report.add({ line, reasons });
      if (line === Math.ceil((11 * MIB) / 1_024))
        partsBeforeFinish = s3Mock.commandCalls(UploadPartCommand).length;
    }
    await report.finish(summary);

    // Assert: every part but the last at least 5 MiB, the lines whole and in order, the summary last.
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
    const parts = s3Mock.commandCalls(UploadPartCommand).map((call) => call.args[0].input);
    expect(parts.length).toBe(3);
    expect(parts.slice(0, -1).every((part) => bodyBytes(part.Body) >= MIN_PART_BYTES)).toBe(true);
    const text = parts.map((part) => bodyText(part.Body)).join('');
    const written = text.trimEnd().split('\n');
    expect(written).toHaveLength(lines + 1);
    expect(written.slice(0, -1).map((line) => (JSON.parse(line) as { line: number }).line)).toEqual(
      Array.from({ length: lines }, (_, index) => index + 1),
    );
    expect(JSON.parse(written.at(-1) ?? '')).toEqual({ summary });
    // Memory stays bounded: parts went out while records were still being added, not all at the end.
    expect(partsBeforeFinish).toBe(2);
    expect(report.bytes).toBe(Buffer.byteLength(written.slice(0, -1).join('\n')) + 1);
    const complete = s3Mock.commandCalls(CompleteMultipartUploadCommand)[0]?.args[0].input;
    expect(complete?.MultipartUpload?.Parts).toEqual(
      parts.map((part) => ({ PartNumber: part.PartNumber, ETag: `etag-${part.PartNumber}` })),
    );
    expect(s3Mock.commandCalls(CreateMultipartUploadCommand)[0]?.args[0].input).toMatchObject({
      ContentType: 'application/x-ndjson',
    });
  });

  it('aborts a started multipart upload', async () => {
    // Arrange: more than one part of rejects, so a multipart upload has started.
    const report = new RejectsReport(
      new S3Client({ region: 'us-east-1' }),
      'bucket',
      'rejected/x.errors.jsonl',
    );
    const reasons = ['x'.repeat(1_000)];
    for (let line = 1; line <= Math.ceil((6 * MIB) / 1_024); line += 1) await report.add({ line, reasons });
    expect(s3Mock.commandCalls(UploadPartCommand)).toHaveLength(1);

    // Act
    await report.abort();

    // Assert
    expect(s3Mock.commandCalls(AbortMultipartUploadCommand)[0]?.args[0].input).toMatchObject({
      UploadId: 'up-1',
    });
    expect(s3Mock.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
  });

  it('fails the write that follows a failed upload instead of waiting for it', async () => {
    // Arrange
    s3Mock.on(UploadPartCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    const report = new RejectsReport(
      new S3Client({ region: 'us-east-1' }),
      'bucket',
      'rejected/x.errors.jsonl',
    );
    const reasons = ['x'.repeat(1_000)];

    // Act
    const writing = (async () => {
      for (let line = 1; line <= Math.ceil((20 * MIB) / 1_024); line += 1)
        await report.add({ line, reasons });
      await report.finish(summary);
    })();

    // Assert
    await expect(writing).rejects.toThrow();
    expect(s3Mock.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
  });

  it('writes no segment when nothing was rejected, and refuses parts smaller than S3 allows', async () => {
    // Arrange
    const report = new RejectsReport(new S3Client({ region: 'us-east-1' }), 'bucket', 'rejected/x.jsonl');

    // Act / Assert
    await expect(report.finishSegment()).resolves.toBe(0);
    expect(s3Mock.calls()).toHaveLength(0);
    expect(() => new RejectsReport(new S3Client({ region: 'us-east-1' }), 'bucket', 'k', 200)).toThrow(
      RangeError,
    );
  });
});

describe('reportKeyFor', () => {
  it('puts the report under rejected/ with the source key in full', () => {
    // Arrange / Act / Assert
    expect(reportKeyFor('incoming/a b+c%.jsonl')).toBe('rejected/incoming/a b+c%.jsonl.errors.jsonl');
  });

  it("keeps a report key within S3's 1,024 bytes, unique per source key, without cutting a character", () => {
    // Arrange: 3-byte characters, so a cut by bytes would land inside one.
    const base = `incoming/${'東'.repeat(330)}`;

    // Act
    const first = reportKeyFor(`${base}-1.jsonl`);
    const second = reportKeyFor(`${base}-2.jsonl`);

    // Assert
    expect(Buffer.byteLength(first)).toBeLessThanOrEqual(1024);
    expect(first).not.toBe(second);
    expect(first).toMatch(/^rejected\/incoming\/東+~[0-9a-f]{16}\.errors\.jsonl$/);
  });
});
