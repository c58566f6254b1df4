import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { type IngestSummary, RejectsReport, reportKeyFor } from '../../../functions/ingest/rejects-report';

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

describe('RejectsReport', () => {
  beforeEach(() => {
    s3Mock.reset();
    s3Mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-1' });
    s3Mock.on(UploadPartCommand).callsFake((input) => Promise.resolve({ ETag: `etag-${input.PartNumber}` }));
  });

  it('puts a small report in one PutObject, the summary last', async () => {
    // Arrange
    const report = new RejectsReport(new S3Client({}), 'bucket', reportKeyFor('incoming/a.jsonl'));

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

  it('switches to a multipart upload once a part fills, holding at most one part in memory', async () => {
    // Arrange
    const report = new RejectsReport(new S3Client({}), 'bucket', 'rejected/x.errors.jsonl', 200);

    // Act
    for (let line = 1; line <= 10; line += 1) await report.add({ line, reasons: ['x'.repeat(50)] });
    await report.finish(summary);

    // Assert
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
    const parts = s3Mock.commandCalls(UploadPartCommand).map((call) => call.args[0].input);
    expect(parts.length).toBeGreaterThan(2);
    expect(parts.slice(0, -1).every((part) => (part.Body as Uint8Array).byteLength >= 200)).toBe(true);
    const text = parts.map((part) => bodyText(part.Body)).join('');
    expect(text.trimEnd().split('\n')).toHaveLength(11);
    expect(JSON.parse(text.trimEnd().split('\n').at(-1) ?? '')).toEqual({ summary });
    const complete = s3Mock.commandCalls(CompleteMultipartUploadCommand)[0]?.args[0].input;
    expect(complete?.MultipartUpload?.Parts).toEqual(
      parts.map((part) => ({ PartNumber: part.PartNumber, ETag: `etag-${part.PartNumber}` })),
    );
  });

  it('aborts a started multipart upload', async () => {
    // Arrange
    const report = new RejectsReport(new S3Client({}), 'bucket', 'rejected/x.errors.jsonl', 10);
    await report.add({ line: 1, reasons: ['a reason long enough to fill a part'] });

    // Act
    await report.abort();

    // Assert
    expect(s3Mock.commandCalls(AbortMultipartUploadCommand)[0]?.args[0].input).toMatchObject({
      UploadId: 'up-1',
    });
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
