import { createHash } from 'node:crypto';
import { makeDynamoDbClient, makeS3Client, makeSqsClient } from '#shared/aws/clients';
import type { handler as IngestHandler } from '../../functions/ingest/handler';
import { drainQueue } from '../helpers/aws-resources';
import { setUpIngest } from '../helpers/ingest-env';
import { lambdaContext } from '../helpers/lambda-context';
import { anOrder, toJsonLines } from '../helpers/orders';
import { s3Event } from '../helpers/s3-event';
import { putObject, readObjectText } from '../helpers/s3-objects';

const s3 = makeS3Client();
const sqs = makeSqsClient();
const dynamodb = makeDynamoDbClient();

let bucket: string;
let queueUrl: string;
let handler: typeof IngestHandler;

beforeAll(async () => {
  ({ bucket, queueUrl, handler } = await setUpIngest(s3, sqs, dynamodb));
});

/** Line n of the volume file: mostly valid orders, with three kinds of invalid line mixed in. */
const volumeLine = (n: number): { text: string; valid: boolean } => {
  const orderId = `vol-${String(n).padStart(4, '0')}`;
  if (n % 10 === 3) return { text: `{"orderId":"${orderId}","items":[`, valid: false };
  if (n % 10 === 7) return { text: JSON.stringify(anOrder({ orderId, totalCents: 1 })), valid: false };
  if (n % 50 === 0)
    return { text: JSON.stringify({ ...anOrder(), orderId: `${orderId}/bad` }), valid: false };
  return { text: JSON.stringify(anOrder({ orderId, customerId: `cust-${n % 37}` })), valid: true };
};

describe('ingest at volume', () => {
  it('ingests a 1,000-record file with invalid lines mixed in: exact counts and correct message attributes', async () => {
    // Arrange
    const key = 'incoming/volume 1000.jsonl';
    const lines = Array.from({ length: 1000 }, (_, index) => volumeLine(index + 1));
    const validLines = lines.flatMap((line, index) => (line.valid ? [index + 1] : []));
    await putObject(s3, bucket, key, toJsonLines(lines.map((line) => line.text)));

    // Act
    const [outcome] = await handler(s3Event({ bucket, key }), lambdaContext());

    // Assert
    expect(validLines).toHaveLength(780);
    expect(outcome).toMatchObject({ recordsRead: 1000, accepted: 780, rejected: 220, complete: true });
    const messages = await drainQueue(sqs, queueUrl, 780, { deadlineMs: 30_000 });
    expect(messages).toHaveLength(780);
    const seenLines = messages.map((message) => {
      const correlationId = message.MessageAttributes?.correlationId?.StringValue ?? '';
      const line = Number(correlationId.slice(correlationId.lastIndexOf('#') + 1));
      expect(correlationId).toBe(`${bucket}/${key}#${line}`);
      expect(message.Attributes?.MessageGroupId).toBe(`vol-${String(line).padStart(4, '0')}`);
      expect(message.Attributes?.MessageDeduplicationId).toBe(
        createHash('sha256')
          .update(message.Body ?? '')
          .digest('hex'),
      );
      expect(message.MessageAttributes?.eventType?.StringValue).toBe('OrderPlaced');
      expect(message.MessageAttributes?.schemaVersion?.StringValue).toBe('1');
      expect(JSON.parse(message.Body ?? '{}')).toMatchObject({ orderId: message.Attributes?.MessageGroupId });
      return line;
    });
    expect(seenLines.sort((a, b) => a - b)).toEqual(validLines);

    const report = (await readObjectText(s3, bucket, `rejected/${key}.errors.jsonl`)).trimEnd().split('\n');
    const rejectedLines = report.slice(0, -1).map((line) => (JSON.parse(line) as { line: number }).line);
    expect(rejectedLines.sort((a, b) => a - b)).toEqual(
      lines.flatMap((line, index) => (line.valid ? [] : [index + 1])),
    );
    expect(JSON.parse(report.at(-1) ?? '{}').summary).toMatchObject({
      recordsRead: 1000,
      accepted: 780,
      rejected: 220,
    });
  });

  it('writes a rejects report larger than one part through a multipart upload', async () => {
    // Arrange: 60,000 unparsable lines give a report of more than 5 MiB.
    const key = 'incoming/garbage.jsonl';
    await putObject(s3, bucket, key, 'not json at all\n'.repeat(60_000));

    // Act
    const [outcome] = await handler(s3Event({ bucket, key }), lambdaContext());

    // Assert
    expect(outcome).toMatchObject({ recordsRead: 60_000, accepted: 0, rejected: 60_000 });
    const report = await readObjectText(s3, bucket, `rejected/${key}.errors.jsonl`);
    expect(Buffer.byteLength(report)).toBeGreaterThan(5 * 1024 * 1024);
    const lines = report.trimEnd().split('\n');
    expect(lines).toHaveLength(60_001);
    expect(JSON.parse(lines[59_999] ?? '{}')).toMatchObject({ line: 60_000 });
    expect(JSON.parse(lines[60_000] ?? '{}').summary).toMatchObject({
      recordsRead: 60_000,
      rejected: 60_000,
    });
  });
});
