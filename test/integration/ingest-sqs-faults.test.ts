import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { makeDynamoDbClient, makeS3Client, makeSqsClient } from '#shared/aws/clients';
import type { handler as IngestHandler } from '../../functions/ingest/handler';
import { ApiCallCounter } from '../../local/api-calls';
import type { Fault, FaultInjector } from '../../local/chaos/faults';
import { type Gateway, startGateway } from '../../local/gateway';
import { drainQueue } from '../helpers/aws-resources';
import { readReport, setUpIngest } from '../helpers/ingest-env';
import { lambdaContext } from '../helpers/lambda-context';
import { anOrder, toJsonLines } from '../helpers/orders';
import { s3Event } from '../helpers/s3-event';
import { putObject } from '../helpers/s3-objects';

/**
 * SendMessageBatch answers entries with a server fault: a blip at SQS, not the records' fault. The
 * faults come from a gateway in front of fauxqs, so the real handler and the real SDK see exactly
 * what SQS would send.
 */
const s3 = makeS3Client();
const sqs = makeSqsClient();
const dynamodb = makeDynamoDbClient();

/** What the test decides SendMessageBatch does to each attempt's entries. */
let entriesToFail: (ids: readonly string[], attempt: number) => readonly string[] = () => [];
let batchAttempts = 0;

const faults: FaultInjector = {
  decide: ({ service, operation }): Fault | undefined => {
    if (service !== 'sqs' || operation !== 'SendMessageBatch') return undefined;
    batchAttempts += 1;
    const attempt = batchAttempts;
    return { kind: 'entries-failed', entryIds: (ids) => entriesToFail(ids, attempt) };
  },
};

let gateway: Gateway;
let bucket: string;
let queueUrl: string;
let handler: typeof IngestHandler;
const hostSqsEndpoint = process.env.AWS_ENDPOINT_URL_SQS;

beforeAll(async () => {
  const fauxqs = process.env.AWS_ENDPOINT_URL_SQS ?? '';
  gateway = await startGateway({ sqs: fauxqs }, new ApiCallCounter(), { faults });
  // The handler builds its SQS client at cold start from the environment, as on Lambda.
  process.env.AWS_ENDPOINT_URL_SQS = gateway.endpoint;
  ({ bucket, queueUrl, handler } = await setUpIngest(s3, sqs, dynamodb));
});

afterAll(async () => {
  process.env.AWS_ENDPOINT_URL_SQS = hostSqsEndpoint;
  await gateway.stop();
});

beforeEach(() => {
  batchAttempts = 0;
  entriesToFail = () => [];
});

const reportExists = async (key: string): Promise<boolean> =>
  s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `rejected/${key}.errors.jsonl` })).then(
    () => true,
    () => false,
  );

describe('ingest when SQS fails entries with a server fault', () => {
  it('fails the invocation and reports no valid order as rejected when SQS stays down past the time to retry', async () => {
    // Arrange: every entry fails on every attempt; 16.5 s left is 1.5 s to retry after the 15 s reserve
    entriesToFail = (ids) => ids;
    const key = 'incoming/sqs-down.jsonl';
    await putObject(
      s3,
      bucket,
      key,
      toJsonLines([anOrder({ orderId: 'ord-sd1' }), anOrder({ orderId: 'ord-sd2' })]),
    );

    // Act
    const invocation = handler(s3Event({ bucket, key }), lambdaContext(16_500));

    // Assert
    await expect(invocation).rejects.toThrow(/EnqueueIncomplete|SQS did not confirm 2 message/);
    expect(batchAttempts).toBeGreaterThan(1);
    expect(await reportExists(key)).toBe(false);
  });

  it('ingests the whole file on the retry of an invocation that failed because SQS was down', async () => {
    // Arrange: the first invocation meets SQS down, Lambda's retry meets it back up
    const key = 'incoming/sqs-recovers.jsonl';
    const orders = [
      anOrder({ orderId: 'ord-sr1' }),
      anOrder({ orderId: 'ord-sr2' }),
      anOrder({ orderId: 'ord-sr3' }),
    ];
    await putObject(s3, bucket, key, toJsonLines(orders));
    const event = s3Event({ bucket, key });
    entriesToFail = (ids) => ids;
    await expect(handler(event, lambdaContext(16_500))).rejects.toThrow(/SQS did not confirm/);
    entriesToFail = () => [];

    // Act
    const [outcome] = await handler(event, lambdaContext());

    // Assert
    expect(outcome).toMatchObject({ recordsRead: 3, accepted: 3, rejected: 0, duplicate: false });
    const messages = await drainQueue(sqs, queueUrl, 3);
    expect(messages.map((message) => message.Attributes?.MessageGroupId).sort()).toEqual([
      'ord-sr1',
      'ord-sr2',
      'ord-sr3',
    ]);
    expect(await readReport(s3, bucket, key)).toEqual([
      expect.objectContaining({ summary: expect.anything() }),
    ]);
  });

  it('sends again the entries SQS failed and enqueues each order once', async () => {
    // Arrange: the first two attempts fail every other entry
    entriesToFail = (ids, attempt) => (attempt <= 2 ? ids.filter((_, index) => index % 2 === 0) : []);
    const key = 'incoming/sqs-blip.jsonl';
    const orders = Array.from({ length: 12 }, (_, i) => anOrder({ orderId: `ord-sb${i + 1}` }));
    await putObject(s3, bucket, key, toJsonLines(orders));

    // Act
    const [outcome] = await handler(s3Event({ bucket, key }), lambdaContext());

    // Assert
    expect(outcome).toMatchObject({ recordsRead: 12, accepted: 12, rejected: 0 });
    const messages = await drainQueue(sqs, queueUrl, 12);
    const groups = messages.map((message) => message.Attributes?.MessageGroupId);
    expect(groups).toHaveLength(12);
    expect(new Set(groups).size).toBe(12);
  });

  it('still rejects an entry SQS refuses as the sender fault, with its reason, beside the valid orders', async () => {
    // Arrange: a sender fault is the record's own; the gateway cannot make SQS refuse one, so this
    // checks the valid records around a record the schema rejects still go through under faults
    entriesToFail = (ids, attempt) => (attempt === 1 ? ids : []);
    const key = 'incoming/sqs-mixed.jsonl';
    await putObject(
      s3,
      bucket,
      key,
      toJsonLines([
        anOrder({ orderId: 'ord-sm1' }),
        { ...anOrder(), orderId: 'not valid!' },
        anOrder({ orderId: 'ord-sm2' }),
      ]),
    );

    // Act
    const [outcome] = await handler(s3Event({ bucket, key }), lambdaContext());

    // Assert
    expect(outcome).toMatchObject({ recordsRead: 3, accepted: 2, rejected: 1 });
    const report = await readReport<{ line?: number; orderId?: string }>(s3, bucket, key);
    expect(report.filter((line) => line.line !== undefined).map((line) => line.orderId)).toEqual([
      'not valid!',
    ]);
    await drainQueue(sqs, queueUrl, 2);
  });
});
