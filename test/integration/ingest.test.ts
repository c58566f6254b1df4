import { createHash } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, DeleteObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import type { Message } from '@aws-sdk/client-sqs';
import { makeDynamoDbClient, makeS3Client, makeSqsClient } from '#shared/aws/clients';
import { contentHash, validateOrder } from '#shared/schemas/order-placed';
import type { handler as IngestHandler } from '../../functions/ingest/handler';
import type { IngestOutcome } from '../../functions/ingest/ingest-once';
import { drainQueue } from '../helpers/aws-resources';
import { readReport, setUpIngest } from '../helpers/ingest-env';
import { lambdaContext } from '../helpers/lambda-context';
import { anOrder, toJsonLines } from '../helpers/orders';
import { s3Event } from '../helpers/s3-event';
import { putObject } from '../helpers/s3-objects';

const s3 = makeS3Client();
const sqs = makeSqsClient();
const dynamodb = makeDynamoDbClient();

let bucket: string;
let queueUrl: string;
let table: string;
let handler: typeof IngestHandler;

const attribute = (message: Message, name: string) => message.MessageAttributes?.[name]?.StringValue;
const reportOf = (key: string) => readReport(s3, bucket, key);

beforeAll(async () => {
  ({ bucket, queueUrl, table, handler } = await setUpIngest(s3, sqs, dynamodb));
});

describe('ingest handler against the stand-ins', () => {
  it('puts each valid order on the FIFO queue with its group id, dedup id, attributes and canonical body', async () => {
    // Arrange
    const key = 'incoming/first batch+more.jsonl';
    const orders = [anOrder({ orderId: 'ord-a1' }), anOrder({ orderId: 'ord-a2', customerId: 'cust-2' })];
    await putObject(s3, bucket, key, toJsonLines(orders));

    // Act
    const [outcome] = await handler(s3Event({ bucket, key }), lambdaContext());

    // Assert
    expect(outcome).toMatchObject({
      recordsRead: 2,
      accepted: 2,
      rejected: 0,
      duplicate: false,
      complete: true,
    });
    const messages = await drainQueue(sqs, queueUrl, 2);
    expect(messages).toHaveLength(2);
    const byGroup = new Map(messages.map((message) => [message.Attributes?.MessageGroupId, message]));
    orders.forEach((order, index) => {
      const message = byGroup.get(order.orderId);
      const validated = validateOrder(order);
      if (!message || !validated.ok) throw new Error(`no message for ${order.orderId}`);
      expect(message.Body).toBe(validated.canonical);
      expect(message.Attributes?.MessageDeduplicationId).toBe(contentHash(validated.canonical));
      expect(attribute(message, 'eventType')).toBe('OrderPlaced');
      expect(attribute(message, 'schemaVersion')).toBe('1');
      expect(attribute(message, 'correlationId')).toBe(`${bucket}/${key}#${index + 1}`);
    });
  });

  it('writes every rejected record with its line, orderId and reasons, and a summary that adds up', async () => {
    // Arrange
    const key = 'incoming/mixed.jsonl';
    await putObject(
      s3,
      bucket,
      key,
      toJsonLines([
        anOrder({ orderId: 'ord-b1' }),
        '{"orderId":"ord-b2",',
        { ...anOrder({ orderId: 'ord-b3' }), currency: 'euro', totalCents: 3 },
        { ...anOrder(), orderId: 'bad id!' },
      ]),
    );

    // Act
    const [outcome] = await handler(s3Event({ bucket, key }), lambdaContext());

    // Assert
    await drainQueue(sqs, queueUrl, 1);
    const report = await reportOf(key);
    expect(report).toEqual([
      { line: 2, orderId: 'ord-b2', reasons: [expect.stringMatching(/^line is not valid JSON: /)] },
      {
        line: 3,
        orderId: 'ord-b3',
        reasons: [
          'currency: currency must be an ISO 4217 code such as EUR',
          'totalCents: totalCents is 3 but the items add up to 11597',
        ],
      },
      { line: 4, orderId: 'bad id!', reasons: ['orderId: orderId must match ^[A-Za-z0-9_-]{1,64}$'] },
      {
        summary: {
          recordsRead: 4,
          accepted: 1,
          rejected: 3,
          bytesRead: expect.any(Number),
          sourceBucket: bucket,
          sourceKey: key,
          versionId: null,
          format: 'jsonl',
          complete: true,
          reportKey: `rejected/${key}.errors.jsonl`,
        },
      },
    ]);
    expect(outcome).toMatchObject({ recordsRead: 4, accepted: 1, rejected: 3 });
  });

  it('ingests one delivery of an object version once, however often S3 notifies', async () => {
    // Arrange
    const key = 'incoming/once.jsonl';
    await putObject(s3, bucket, key, toJsonLines([anOrder({ orderId: 'ord-c1' })]));
    const event = s3Event({ bucket, key, sequencer: '0055AED6DCD90281E5' });
    const [first] = await handler(event, lambdaContext());
    await drainQueue(sqs, queueUrl, 1);
    // Removing the report shows whether the second delivery does any work at all.
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: `rejected/${key}.errors.jsonl` }));

    // Act
    const [second] = await handler(event, lambdaContext());

    // Assert
    expect(first).toMatchObject({ accepted: 1, duplicate: false });
    expect(second).toEqual({ ...(first as IngestOutcome), duplicate: true });
    expect(await drainQueue(sqs, queueUrl, 0)).toEqual([]);
    await expect(
      s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `rejected/${key}.errors.jsonl` })),
    ).rejects.toThrow();
  });

  it('ingests a new version of the same key again', async () => {
    // Arrange
    const key = 'incoming/versions.jsonl';
    await putObject(s3, bucket, key, toJsonLines([anOrder({ orderId: 'ord-d1' })]));
    await handler(s3Event({ bucket, key, versionId: 'v1' }), lambdaContext());
    await drainQueue(sqs, queueUrl, 1);
    await putObject(s3, bucket, key, toJsonLines([anOrder({ orderId: 'ord-d2' })]));

    // Act
    const [outcome] = await handler(s3Event({ bucket, key, versionId: 'v2' }), lambdaContext());

    // Assert
    expect(outcome).toMatchObject({ accepted: 1, duplicate: false, versionId: 'v2' });
    const messages = await drainQueue(sqs, queueUrl, 1);
    expect(messages.map((message) => message.Attributes?.MessageGroupId)).toEqual(['ord-d2']);
  });

  it('marks the file COMPLETED in the idempotency table only once the report exists', async () => {
    // Arrange
    const key = 'incoming/marker.jsonl';
    await putObject(s3, bucket, key, toJsonLines([anOrder({ orderId: 'ord-e1' })]));

    // Act
    await handler(s3Event({ bucket, key, versionId: 'v-marker' }), lambdaContext());

    // Assert
    await drainQueue(sqs, queueUrl, 1);
    // Powertools stores `<prefix>#<base64 md5 of the JSON key>`; the key is [bucket, key, version].
    const hash = createHash('md5')
      .update(JSON.stringify([bucket, key, 'v-marker']))
      .digest('base64');
    const item = await dynamodb.send(
      new GetItemCommand({ TableName: table, Key: { id: { S: `orderflow-ingest#${hash}` } } }),
    );
    expect(item.Item?.status?.S).toBe('COMPLETED');
    expect(await reportOf(key)).toHaveLength(1);
  });

  it('leaves no marker when the ingest fails, so the retried invocation ingests the file', async () => {
    // Arrange: the notification names a bucket that cannot be read yet, a failure a retry can cure.
    const lateBucket = `${bucket}-late`;
    const key = 'incoming/late.jsonl';
    const event = s3Event({ bucket: lateBucket, key, versionId: 'v-late' });
    await expect(handler(event, lambdaContext())).rejects.toThrow(/bucket does not exist/);
    await s3.send(new CreateBucketCommand({ Bucket: lateBucket }));
    await putObject(s3, lateBucket, key, toJsonLines([anOrder({ orderId: 'ord-f1' })]));

    // Act
    const [outcome] = await handler(event, lambdaContext());

    // Assert
    expect(outcome).toMatchObject({ accepted: 1, duplicate: false });
    expect(await drainQueue(sqs, queueUrl, 1)).toHaveLength(1);
  });

  it('skips a rejects report instead of ingesting its own output', async () => {
    // Arrange
    const key = 'rejected/incoming/mixed.jsonl.errors.jsonl';

    // Act
    const [outcome] = await handler(s3Event({ bucket, key }), lambdaContext());

    // Assert
    expect(outcome).toMatchObject({ sourceKey: key, skipped: expect.stringContaining('rejects report') });
  });
});
