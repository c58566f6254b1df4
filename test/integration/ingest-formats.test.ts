import { gzipSync } from 'node:zlib';
import type { Message } from '@aws-sdk/client-sqs';
import { makeDynamoDbClient, makeS3Client, makeSqsClient } from '#shared/aws/clients';
import type { handler as IngestHandler } from '../../functions/ingest/handler';
import type { IngestOutcome } from '../../functions/ingest/ingest-once';
import { drainQueue } from '../helpers/aws-resources';
import { readReport, setUpIngest } from '../helpers/ingest-env';
import { lambdaContext } from '../helpers/lambda-context';
import { anOrder, manyOrders, toCsv, toJsonLines } from '../helpers/orders';
import { s3Event } from '../helpers/s3-event';
import { putObject } from '../helpers/s3-objects';

const s3 = makeS3Client();
const sqs = makeSqsClient();
const dynamodb = makeDynamoDbClient();

let bucket: string;
let queueUrl: string;
let handler: typeof IngestHandler;

interface ReportLine {
  line?: number;
  orderId?: string;
  lines?: number[];
  reasons?: string[];
  remainder?: boolean;
  summary?: Record<string, unknown>;
}

const reportOf = (key: string) => readReport<ReportLine>(s3, bucket, key);

const groups = (messages: Message[]) => messages.map((message) => message.Attributes?.MessageGroupId).sort();

const ingest = async (key: string, body: string | Uint8Array): Promise<IngestOutcome> => {
  await putObject(s3, bucket, key, body);
  const [outcome] = await handler(s3Event({ bucket, key }), lambdaContext());
  if (outcome === undefined || 'skipped' in outcome) throw new Error(`${key} was not ingested`);
  return outcome;
};

beforeAll(async () => {
  ({ bucket, queueUrl, handler } = await setUpIngest(s3, sqs, dynamodb));
});

describe('ingest formats end to end', () => {
  it('ingests a gzipped JSON Lines file', async () => {
    // Arrange
    const body = gzipSync(toJsonLines(manyOrders(25, 'gz')));

    // Act
    const outcome = await ingest('incoming/orders.jsonl.gz', body);

    // Assert
    expect(outcome).toMatchObject({
      recordsRead: 25,
      accepted: 25,
      rejected: 0,
      bytesRead: body.byteLength,
      format: 'jsonl.gz',
    });
    expect(await drainQueue(sqs, queueUrl, 25)).toHaveLength(25);
  });

  it('ingests a CSV file, one message per order, and rejects an order whose rows disagree', async () => {
    // Arrange
    const csv = toCsv([
      anOrder({ orderId: 'csv-1' }),
      anOrder({ orderId: 'csv-2', customerId: 'cust-2' }),
      anOrder({ orderId: 'csv-3' }),
    ]).replace(/^(csv-2,cust-2,)EUR(,CABLE)/m, '$1USD$2');
    const key = 'incoming/orders export.csv';

    // Act
    const outcome = await ingest(key, csv);

    // Assert
    expect(outcome).toMatchObject({ recordsRead: 3, accepted: 2, rejected: 1, format: 'csv' });
    const messages = await drainQueue(sqs, queueUrl, 2);
    expect(groups(messages)).toEqual(['csv-1', 'csv-3']);
    expect(messages.map((message) => message.MessageAttributes?.correlationId?.StringValue).sort()).toEqual([
      `${bucket}/${key}#2`,
      `${bucket}/${key}#6`,
    ]);
    expect((await reportOf(key))[0]).toEqual({
      line: 4,
      orderId: 'csv-2',
      lines: [4, 5],
      reasons: ['rows disagree on currency: "EUR" at line 4, "USD" at line 5'],
    });
  });

  it('ingests a gzipped CSV file', async () => {
    // Act
    const outcome = await ingest('incoming/orders.csv.gz', gzipSync(toCsv(manyOrders(4, 'csvgz'))));

    // Assert
    expect(outcome).toMatchObject({ recordsRead: 4, accepted: 4, format: 'csv.gz' });
    expect(groups(await drainQueue(sqs, queueUrl, 4))).toEqual([
      'csvgz-000001',
      'csvgz-000002',
      'csvgz-000003',
      'csvgz-000004',
    ]);
  });

  it('ingests a pretty-printed JSON array and rejects its broken element on its own', async () => {
    // Arrange
    const orders = manyOrders(3, 'arr');
    const text = `[\n${JSON.stringify(orders[0], null, 2)},\n{"orderId": "arr-x", },\n${JSON.stringify(orders[2], null, 2)}\n]\n`;
    const key = 'incoming/orders.json';

    // Act
    const outcome = await ingest(key, text);

    // Assert
    expect(outcome).toMatchObject({ recordsRead: 3, accepted: 2, rejected: 1, complete: true });
    expect(groups(await drainQueue(sqs, queueUrl, 2))).toEqual(['arr-000001', 'arr-000003']);
    expect((await reportOf(key))[0]).toMatchObject({ line: 2, orderId: 'arr-x' });
  });

  it('rejects a file with an unsupported extension as a whole, with the reason in the report', async () => {
    // Arrange
    const key = 'incoming/orders.xlsx';

    // Act
    const outcome = await ingest(key, 'PK\u0003\u0004 not a format we read');

    // Assert
    expect(outcome).toMatchObject({
      recordsRead: 1,
      accepted: 0,
      rejected: 1,
      complete: false,
      bytesRead: 0,
    });
    const report = await reportOf(key);
    expect(report).toHaveLength(2);
    expect(report[0]?.remainder).toBe(true);
    expect(report[0]?.reasons?.[0]).toMatch(
      /^the whole file is rejected: unsupported file type "orders.xlsx"/,
    );
    expect(report[1]?.summary).toMatchObject({ recordsRead: 1, rejected: 1, complete: false });
  });

  it('keeps what a truncated gzip file held before the cut and rejects the rest', async () => {
    // Arrange
    const whole = gzipSync(toJsonLines(manyOrders(300, 'cut')));
    const key = 'incoming/truncated.jsonl.gz';

    // Act
    const outcome = await ingest(key, whole.subarray(0, Math.floor(whole.byteLength / 2)));

    // Assert
    expect(outcome.complete).toBe(false);
    const accepted = outcome.accepted;
    expect(accepted).toBeGreaterThan(0);
    expect(await drainQueue(sqs, queueUrl, accepted)).toHaveLength(accepted);
    const [remainder] = await reportOf(key);
    expect(remainder).toMatchObject({ line: accepted + 1, remainder: true });
    expect(remainder?.reasons?.[0]).toContain('the gzip data is truncated or corrupt');
  });

  it('rejects a .gz file that is not gzip', async () => {
    // Arrange
    const key = 'incoming/plain.jsonl.gz';

    // Act
    const outcome = await ingest(key, toJsonLines(manyOrders(2, 'plain')));

    // Assert
    expect(outcome).toMatchObject({ recordsRead: 1, accepted: 0, rejected: 1, complete: false });
    expect((await reportOf(key))[0]?.reasons?.[0]).toBe(
      'the rest of the file from line 1 on is unreadable: the gzip data is truncated or corrupt (incorrect header check)',
    );
  });
});
