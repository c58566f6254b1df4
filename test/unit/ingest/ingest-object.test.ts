import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  SendMessageBatchCommand,
  type SendMessageBatchCommandInput,
  type SendMessageBatchRequestEntry,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { ingestObject } from '../../../functions/ingest/ingest-object';
import type { ObjectRef } from '../../../functions/ingest/object-ref';
import { DEFER, scanOrderLine } from '../../../functions/shared/schemas/order-line';
import { validateOrder } from '../../../functions/shared/schemas/order-placed';
import { anOrder, manyOrders, toCsv, toJsonLines } from '../../helpers/orders';
import { chunked } from '../../helpers/streams';

const s3Mock = mockClient(S3Client);
const sqsMock = mockClient(SQSClient);

const ref = (key: string): ObjectRef => ({
  bucket: 'bucket',
  key,
  sequencer: '0A',
  version: 'sequencer:0A',
  size: 0,
});

const serve = (content: string | Uint8Array, chunkSize = 1024): void => {
  s3Mock.on(GetObjectCommand).callsFake(() => ({
    Body: Readable.from(chunked(content, chunkSize)) as GetObjectCommandOutput['Body'],
  }));
};

const acceptAll = (input: SendMessageBatchCommandInput) => ({
  Successful: (input.Entries ?? []).map((entry) => ({
    Id: entry.Id,
    MessageId: `m-${entry.Id}`,
    MD5OfMessageBody: 'x',
  })),
  Failed: [],
});

const sentEntries = (): SendMessageBatchRequestEntry[] =>
  sqsMock.commandCalls(SendMessageBatchCommand).flatMap((call) => call.args[0].input.Entries ?? []);

interface ReportLine {
  line?: number;
  orderId?: string;
  reasons?: string[];
  remainder?: boolean;
  summary?: unknown;
}

const reportLines = (): ReportLine[] => {
  const put = s3Mock.commandCalls(PutObjectCommand).at(-1)?.args[0].input;
  return Buffer.from(put?.Body as Uint8Array)
    .toString('utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as ReportLine);
};

const deps = () => ({
  s3: new S3Client({ region: 'us-east-1' }),
  sqs: new SQSClient({}),
  config: { queueUrl: 'https://queue/orders.fifo' },
  senderHooks: { sleep: async () => undefined },
});

describe('ingestObject', () => {
  beforeEach(() => {
    s3Mock.reset();
    sqsMock.reset();
    sqsMock.on(SendMessageBatchCommand).callsFake(acceptAll);
  });

  it('sends valid records, reports invalid ones and ends the report with a summary', async () => {
    // Arrange
    const content = toJsonLines([
      anOrder({ orderId: 'ord-1' }),
      '{"orderId": "ord-2", oops}',
      anOrder({ orderId: 'ord-3', totalCents: 1 }),
      '',
      anOrder({ orderId: 'ord-5' }),
    ]);
    serve(content, 16);

    // Act
    const summary = await ingestObject(ref('incoming/my orders.jsonl'), deps());

    // Assert
    expect(summary).toEqual({
      recordsRead: 4,
      accepted: 2,
      rejected: 2,
      bytesRead: Buffer.byteLength(content),
      sourceBucket: 'bucket',
      sourceKey: 'incoming/my orders.jsonl',
      versionId: null,
      format: 'jsonl',
      complete: true,
      reportKey: 'rejected/incoming/my orders.jsonl.errors.jsonl',
    });
    expect(
      sentEntries().map((entry) => [
        entry.MessageGroupId,
        entry.MessageAttributes?.correlationId?.StringValue,
      ]),
    ).toEqual([
      ['ord-1', 'bucket/incoming/my orders.jsonl#1'],
      ['ord-5', 'bucket/incoming/my orders.jsonl#5'],
    ]);
    expect(reportLines()).toEqual([
      { line: 2, orderId: 'ord-2', reasons: [expect.stringMatching(/^line is not valid JSON/)] },
      { line: 3, orderId: 'ord-3', reasons: ['totalCents: totalCents is 1 but the items add up to 11597'] },
      { summary },
    ]);
  });

  it('sends an order judged by the JSON Lines order lane exactly as one judged by the full path', async () => {
    // Arrange: the same order twice, once as the lane reads it and once with an escape, which it leaves to
    // parseRecordText and validateOrder.
    const order = anOrder({ orderId: 'ord-1' });
    const byLane = JSON.stringify(order);
    const byFullPath = byLane.replace('"EUR"', '"\\u0045UR"');
    expect(scanOrderLine(byLane)).not.toBe(DEFER);
    expect(scanOrderLine(byFullPath)).toBe(DEFER);
    const expected = validateOrder(order);
    if (!expected.ok) throw new Error('the order under test must be valid');
    serve(`${byLane}\n${byFullPath}\n`, 64);

    // Act
    await ingestObject(ref('incoming/twice.jsonl'), deps());

    // Assert: one body and one deduplication id, the canonical order's.
    const [first, second] = sentEntries();
    expect(first?.MessageBody).toBe(expected.canonical);
    expect(second?.MessageBody).toBe(expected.canonical);
    expect(first?.MessageDeduplicationId).toBeDefined();
    expect(second?.MessageDeduplicationId).toBe(first?.MessageDeduplicationId);
  });

  it('reads the notified version of a versioned object', async () => {
    // Arrange
    serve(toJsonLines([anOrder()]));

    // Act
    await ingestObject({ ...ref('incoming/a.jsonl'), versionId: 'v-7', version: 'v-7' }, deps());

    // Assert
    expect(s3Mock.commandCalls(GetObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'bucket',
      Key: 'incoming/a.jsonl',
      VersionId: 'v-7',
    });
  });

  it('rejects an unsupported file as a whole without reading it', async () => {
    // Arrange / Act
    const summary = await ingestObject(ref('incoming/orders.xml'), deps());

    // Assert
    expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(0);
    expect(summary).toMatchObject({
      recordsRead: 1,
      accepted: 0,
      rejected: 1,
      complete: false,
      format: null,
    });
    expect(reportLines()[0]).toEqual({
      line: 0,
      remainder: true,
      reasons: [expect.stringMatching(/^the whole file is rejected: unsupported file type "orders.xml"/)],
    });
  });

  it('keeps the records before a truncated gzip stream and rejects the rest from where reading stopped', async () => {
    // Arrange
    const whole = gzipSync(toJsonLines(manyOrders(200)));
    serve(whole.subarray(0, Math.floor(whole.byteLength * 0.8)), 97);

    // Act
    const summary = await ingestObject(ref('incoming/a.jsonl.gz'), deps());

    // Assert
    const remainder = reportLines()[0];
    expect(summary.complete).toBe(false);
    expect(summary.accepted).toBeGreaterThan(0);
    expect(summary.rejected).toBe(1);
    expect(summary.accepted + summary.rejected).toBe(summary.recordsRead);
    expect(remainder).toMatchObject({ line: summary.accepted + 1, remainder: true });
    expect(remainder?.reasons?.[0]).toContain('gzip data is truncated or corrupt');
  });

  it('ingests csv end to end, one message per order', async () => {
    // Arrange
    serve(toCsv(manyOrders(3)), 50);

    // Act
    const summary = await ingestObject(ref('incoming/a.csv'), deps());

    // Assert
    expect(summary).toMatchObject({ recordsRead: 3, accepted: 3, rejected: 0, format: 'csv' });
    expect(sentEntries().map((entry) => entry.MessageAttributes?.correlationId?.StringValue)).toEqual([
      'bucket/incoming/a.csv#2',
      'bucket/incoming/a.csv#4',
      'bucket/incoming/a.csv#6',
    ]);
  });

  it('rejects a .json file whose content is not UTF-8 from the element where reading stopped', async () => {
    // Arrange
    serve(
      Buffer.concat([
        Buffer.from(JSON.stringify([anOrder()]).slice(0, -1)),
        Buffer.from([0xff]),
        Buffer.from(']'),
      ]),
    );

    // Act
    const summary = await ingestObject(ref('incoming/a.json'), deps());

    // Assert
    expect(summary).toMatchObject({ recordsRead: 1, accepted: 0, rejected: 1, complete: false });
    expect(reportLines()[0]?.reasons?.[0]).toMatch(
      /^the rest of the file from element 1 on is unreadable: the file is not valid UTF-8/,
    );
  });

  it('reports an order that SQS would not take with the reason SQS gave', async () => {
    // Arrange
    sqsMock.on(SendMessageBatchCommand).resolves({
      Successful: [{ Id: '1', MessageId: 'm1', MD5OfMessageBody: 'x' }],
      Failed: [{ Id: '0', SenderFault: true, Code: 'InvalidMessageContents', Message: 'bad char' }],
    });
    serve(toJsonLines(manyOrders(2)));

    // Act
    const summary = await ingestObject(ref('incoming/a.jsonl'), deps());

    // Assert
    expect(summary).toMatchObject({ recordsRead: 2, accepted: 1, rejected: 1 });
    expect(reportLines()[0]).toEqual({
      line: 1,
      orderId: 'ord-000001',
      reasons: ['could not enqueue: InvalidMessageContents bad char'],
    });
  });

  it('rejects the whole file when the object is gone by the time it is read', async () => {
    // Arrange
    s3Mock.on(GetObjectCommand).rejects(Object.assign(new Error('gone'), { name: 'NoSuchKey' }));

    // Act
    const summary = await ingestObject(ref('incoming/a.jsonl'), deps());

    // Assert
    expect(summary).toMatchObject({ recordsRead: 1, rejected: 1, complete: false });
    expect(reportLines()[0]?.reasons?.[0]).toContain('the object no longer exists (NoSuchKey)');
  });

  it('throws without writing a report when S3 breaks off mid-file, so the invocation is retried', async () => {
    // Arrange
    const broken = async function* (): AsyncGenerator<Uint8Array> {
      yield Buffer.from(toJsonLines(manyOrders(15)));
      throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    };
    s3Mock
      .on(GetObjectCommand)
      .callsFake(() => ({ Body: Readable.from(broken()) as GetObjectCommandOutput['Body'] }));

    // Act
    const ingesting = ingestObject(ref('incoming/a.jsonl'), deps());

    // Assert
    await expect(ingesting).rejects.toThrow('socket hang up');
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('accounts for every record: accepted + rejected = read, for any mix of lines and SQS failures', async () => {
    const line = fc.oneof(
      fc.constant('valid'),
      fc.constant('bad-json'),
      fc.constant('bad-order'),
      fc.constant('blank'),
      fc.constant('not-an-object'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 60 }),
        fc.integer({ min: 0, max: 3 }),
        async (kinds, failEvery) => {
          // Arrange
          s3Mock.reset();
          sqsMock.reset();
          sqsMock.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => {
            const entries = input.Entries ?? [];
            const fails = (index: number) => failEvery > 0 && index % (failEvery + 1) === 0;
            return {
              Successful: entries
                .filter((_, i) => !fails(i))
                .map((e) => ({ Id: e.Id, MessageId: 'm', MD5OfMessageBody: 'x' })),
              Failed: entries
                .filter((_, i) => fails(i))
                .map((e) => ({ Id: e.Id, SenderFault: true, Code: 'X', Message: 'y' })),
            };
          });
          const lines = kinds.map((kind, index) => {
            const orderId = `ord-${index}`;
            if (kind === 'valid') return JSON.stringify(anOrder({ orderId }));
            if (kind === 'bad-json') return `{"orderId":"${orderId}",`;
            if (kind === 'bad-order') return JSON.stringify(anOrder({ orderId, totalCents: 0 }));
            if (kind === 'not-an-object') return '"just a string"';
            return '   ';
          });
          serve(`${lines.join('\n')}\n`, 33);

          // Act
          const summary = await ingestObject(ref('incoming/p.jsonl'), deps());

          // Assert
          const nonBlank = kinds.filter((kind) => kind !== 'blank').length;
          const rejects = reportLines().slice(0, -1);
          expect(summary.recordsRead).toBe(nonBlank);
          expect(summary.accepted + summary.rejected).toBe(summary.recordsRead);
          expect(rejects).toHaveLength(summary.rejected);
          const notEnqueued = rejects.filter((r) => r.reasons?.[0]?.startsWith('could not enqueue')).length;
          expect(summary.accepted).toBe(sentEntries().length - notEnqueued);
        },
      ),
      { numRuns: 60 },
    );
  });
});
