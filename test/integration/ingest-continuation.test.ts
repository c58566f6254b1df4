import { gzipSync } from 'node:zlib';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { makeDocumentClient, makeDynamoDbClient, makeS3Client, makeSqsClient } from '#shared/aws/clients';
import { CheckpointStore } from '../../functions/ingest/checkpoint';
import { handleContinuationEvent, sendContinuation } from '../../functions/ingest/handle-continuation';
import type { handler as IngestHandler } from '../../functions/ingest/handler';
import { ingestObject } from '../../functions/ingest/ingest-object';
import type { ObjectRef } from '../../functions/ingest/object-ref';
import { drainQueue } from '../helpers/aws-resources';
import { setUpIngest } from '../helpers/ingest-env';
import { lambdaContext, meteredLambdaContext } from '../helpers/lambda-context';
import { uniqueName } from '../helpers/names';
import { anOrder, toCsv, toJsonLines } from '../helpers/orders';
import { s3Event } from '../helpers/s3-event';
import { putObject, readObjectText } from '../helpers/s3-objects';
import { toSqsRecord } from '../helpers/sqs-event-source';

const s3 = makeS3Client();
const sqs = makeSqsClient();
const dynamodb = makeDynamoDbClient();

/** An invocation pauses when this much time is left. */
const CONTINUE_RESERVE_MS = 20_000;
/**
 * Records per invocation: each invocation's context runs out after about this many asks for the time
 * left (meteredLambdaContext), so a 100,000-record file takes several invocations on a quiet machine
 * and a busy one alike. A wall-clock budget made the CSV and gzip runs, which parse the records done
 * again, crawl on a loaded machine and outlive their test. The time a continuation spends re-reading
 * the records done is therefore not part of this test: ingest asks whether to pause only after a
 * record it handled, never while skipping, so each invocation moves the file on by one record at least.
 */
const RECORDS_PER_INVOCATION = 15_000;
/** More invocations than this is a file that no longer moves on. */
const MAX_INVOCATIONS = 60;
const RECORDS = 100_000;
/** Every tenth record is a valid order: the rest are rejected, so the report spans continuations too. */
const VALID_EVERY = 10;

let bucket: string;
let queueUrl: string;
let table: string;
let continuationQueue: { url: string; arn: string };
let handler: typeof IngestHandler;

const createStandardQueue = async (client: SQSClient): Promise<{ url: string; arn: string }> => {
  const { QueueUrl } = await client.send(
    new CreateQueueCommand({
      QueueName: uniqueName('continuations'),
      Attributes: { VisibilityTimeout: '1' },
    }),
  );
  if (!QueueUrl) throw new Error('CreateQueue returned no URL');
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  if (!Attributes?.QueueArn) throw new Error('the continuation queue has no ARN');
  return { url: QueueUrl, arn: Attributes.QueueArn };
};

beforeAll(async () => {
  continuationQueue = await createStandardQueue(sqs);
  process.env.INGEST_CONTINUATION_QUEUE_URL = continuationQueue.url;
  process.env.INGEST_CONTINUE_RESERVE_MS = String(CONTINUE_RESERVE_MS);
  ({ bucket, queueUrl, table, handler } = await setUpIngest(s3, sqs, dynamodb));
});

afterAll(() => {
  delete process.env.INGEST_CONTINUATION_QUEUE_URL;
  delete process.env.INGEST_CONTINUE_RESERVE_MS;
});

const isValid = (n: number): boolean => n % VALID_EVERY === 1;
const orderIdOf = (n: number): string => `cont-${String(n).padStart(6, '0')}`;

/** 100,000 JSON lines: valid orders, and lines cut short (not JSON) between them. */
const jsonLines = (prefix: string): string =>
  toJsonLines(
    Array.from({ length: RECORDS }, (_, index) => {
      const n = index + 1;
      const orderId = `${prefix}${orderIdOf(n)}`;
      return isValid(n) ? anOrder({ orderId }) : `{"orderId":"${orderId}","items":[`;
    }),
  );

/** 100,000 one-row CSV orders: valid ones, and orders whose total does not match their items. */
const csvOrders = (prefix: string): string =>
  toCsv(
    Array.from({ length: RECORDS }, (_, index) => {
      const n = index + 1;
      const order = anOrder({
        orderId: `${prefix}${orderIdOf(n)}`,
        items: [{ sku: 'KB-MECH-87', quantity: 1, unitPriceCents: 8_999 }],
      });
      return isValid(n) ? order : { ...order, totalCents: 1 };
    }),
  );

/** A crash in the middle of a continuation: every SendMessageBatch after the first `calls` fails. */
const crashingSqsAfter = (calls: number): SQSClient => {
  const client = makeSqsClient();
  let sent = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'SendMessageBatchCommand') {
        sent += 1;
        if (sent > calls)
          throw Object.assign(new Error('the invocation crashed'), { name: 'SimulatedCrash' });
      }
      return next(args);
    },
    { step: 'initialize', name: 'crashAfter' },
  );
  return client;
};

/** One Lambda container continuing files, composed as the handler is, with its own SQS client. */
const continuingContainer = (ordersSqs: SQSClient, records: number) => {
  const context = meteredLambdaContext(CONTINUE_RESERVE_MS, records);
  return (event: SQSEvent) =>
    handleContinuationEvent(event, {
      ingest: (ref, invocation) =>
        ingestObject(
          ref,
          {
            s3: makeS3Client(),
            sqs: ordersSqs,
            config: { queueUrl, maxInFlight: 4 },
            continuation: {
              checkpoints: new CheckpointStore(makeDocumentClient(), table),
              continueLater: sendContinuation(makeSqsClient(), continuationQueue.url),
            },
          },
          invocation,
        ),
      logger: new Logger({ serviceName: 'ingest', logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'orderflow-test', serviceName: 'ingest' }),
      remainingTimeInMillis: () => context.getRemainingTimeInMillis(),
      continueReserveMs: CONTINUE_RESERVE_MS,
    });
};

/** The next continuation message, polled with a deadline (a failed one returns after its 1 s visibility). */
const nextContinuation = async (deadlineMs = 20_000): Promise<Message | undefined> => {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: continuationQueue.url,
        MaxNumberOfMessages: 1,
        WaitTimeSeconds: 1,
      }),
    );
    const message = Messages?.[0];
    if (message) return message;
  }
  return undefined;
};

interface Run {
  readonly invocations: number;
  readonly crashed: boolean;
}

/**
 * Drives a file through its invocations as S3 and the event source mapping would: the S3 event,
 * then every continuation message until the checkpoint says done. The first continuation crashes
 * halfway through its records; its message comes back and the retry resumes from the checkpoint.
 */
const ingestToTheEnd = async (ref: Pick<ObjectRef, 'bucket' | 'key'>, version: string): Promise<Run> => {
  const checkpoints = new CheckpointStore(makeDocumentClient(), table);
  const [first] = await handler(
    s3Event({ bucket: ref.bucket, key: ref.key, versionId: version }),
    meteredLambdaContext(CONTINUE_RESERVE_MS, RECORDS_PER_INVOCATION),
  );
  expect(first).toMatchObject({ continuation: { checkpoint: 1, by: 'message' } });
  let invocations = 1;
  let crashed = false;
  for (;;) {
    const saved = await checkpoints.load({ ...ref, version, sequencer: '', size: 0 });
    if (saved?.done) return { invocations, crashed };
    const message = await nextContinuation();
    if (message === undefined)
      throw new Error(`no continuation arrived for ${ref.key} after checkpoint ${saved?.seq}`);
    const event: SQSEvent = { Records: [toSqsRecord(message, continuationQueue.arn)] };
    invocations += 1;
    if (invocations > MAX_INVOCATIONS)
      throw new Error(`${ref.key} took more than ${MAX_INVOCATIONS} invocations`);
    if (invocations === 2 && !crashed) {
      // Time for every record, so it does not pause: it sends 30 batches past its checkpoint, then crashes.
      const response = await continuingContainer(crashingSqsAfter(30), RECORDS)(event);
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: message.MessageId }]);
      crashed = true;
      continue;
    }
    const response = await handler(event, meteredLambdaContext(CONTINUE_RESERVE_MS, RECORDS_PER_INVOCATION));
    expect(response.batchItemFailures).toEqual([]);
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: continuationQueue.url, ReceiptHandle: message.ReceiptHandle }),
    );
  }
};

const lineOf = (message: Message): number => {
  const correlationId = message.MessageAttributes?.correlationId?.StringValue ?? '';
  return Number(correlationId.slice(correlationId.lastIndexOf('#') + 1));
};

/** What a correct ingest of the file leaves: its valid orders on the queue once, its report whole. */
const expectIngestedExactly = async (key: string, recordLine: (n: number) => number): Promise<void> => {
  const validLines = Array.from({ length: RECORDS }, (_, index) => index + 1)
    .filter(isValid)
    .map(recordLine);
  const messages = await drainQueue(sqs, queueUrl, validLines.length, { deadlineMs: 60_000 });
  const byLine = new Map<number, Message[]>();
  for (const message of messages) {
    // Only this file's messages: another test's leftovers must not blur the count.
    const correlationId = message.MessageAttributes?.correlationId?.StringValue ?? '';
    if (!correlationId.startsWith(`${bucket}/${key}#`)) continue;
    byLine.set(lineOf(message), [...(byLine.get(lineOf(message)) ?? []), message]);
  }
  expect([...byLine.keys()].sort((a, b) => a - b)).toEqual(validLines);
  // A record resent after the crash carries the same deduplication id: SQS (within 5 minutes) or
  // process-order's idempotency on orderId keeps it single.
  for (const copies of byLine.values()) {
    expect(copies.length).toBeLessThanOrEqual(2);
    expect(new Set(copies.map((copy) => copy.Attributes?.MessageDeduplicationId)).size).toBe(1);
  }

  const report = (await readObjectText(s3, bucket, `rejected/${key}.errors.jsonl`)).trimEnd().split('\n');
  const entries = report.slice(0, -1).map((line) => JSON.parse(line) as { line: number });
  const rejectedLines = Array.from({ length: RECORDS }, (_, index) => index + 1)
    .filter((n) => !isValid(n))
    .map(recordLine);
  // In file order, each once: no part lost, doubled or out of place across continuations.
  expect(entries.map((entry) => entry.line)).toEqual(rejectedLines);
  expect(JSON.parse(report.at(-1) ?? '{}').summary).toMatchObject({
    recordsRead: RECORDS,
    accepted: validLines.length,
    rejected: rejectedLines.length,
    complete: true,
  });
  const parts = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'rejected/.continued/' }));
  expect(parts.Contents ?? []).toEqual([]);
};

describe('ingest of a file larger than one invocation', () => {
  it.each([
    ['JSON Lines', 'incoming/large.jsonl', (): Buffer => Buffer.from(jsonLines('j')), (n: number) => n],
    ['CSV', 'incoming/large.csv', (): Buffer => Buffer.from(csvOrders('c')), (n: number) => n + 1],
    ['gzip', 'incoming/large.jsonl.gz', (): Buffer => gzipSync(jsonLines('g')), (n: number) => n],
  ])(
    'continues a %s file of 100,000 records over several invocations, one crashing halfway: every record once',
    async (_format, key, body, recordLine) => {
      // Arrange
      await putObject(s3, bucket, key, body());

      // Act
      const run = await ingestToTheEnd({ bucket, key }, `v-${key}`);

      // Assert
      expect(run.crashed).toBe(true);
      // The first, the one that crashed, its retry: at least.
      expect(run.invocations).toBeGreaterThanOrEqual(3);
      await expectIngestedExactly(key, recordLine);
    },
    // 15-40 s each on a busy 2-core machine (CSV parses the rows done again in every continuation).
    240_000,
  );

  it('rejects the rest of a file re-uploaded mid-way instead of splicing the new content onto it', async () => {
    // Arrange: the first invocation has no time left after its first record, so it hands over at once.
    const key = 'incoming/replaced.jsonl';
    const version = 'v-replaced';
    await putObject(
      s3,
      bucket,
      key,
      toJsonLines([anOrder({ orderId: 'rep-1' }), anOrder({ orderId: 'rep-2' })]),
    );
    const [first] = await handler(
      s3Event({ bucket, key, versionId: version }),
      lambdaContext(CONTINUE_RESERVE_MS),
    );
    expect(first).toMatchObject({
      recordsRead: 1,
      accepted: 1,
      continuation: { checkpoint: 1, by: 'message' },
    });
    await putObject(
      s3,
      bucket,
      key,
      toJsonLines([anOrder({ orderId: 'new-1' }), anOrder({ orderId: 'new-2' })]),
    );
    const message = await nextContinuation();
    if (message === undefined) throw new Error('no continuation arrived');

    // Act
    const response = await handler(
      { Records: [toSqsRecord(message, continuationQueue.arn)] },
      lambdaContext(CONTINUE_RESERVE_MS + 10_000),
    );
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: continuationQueue.url, ReceiptHandle: message.ReceiptHandle }),
    );

    // Assert
    expect(response.batchItemFailures).toEqual([]);
    const report = (await readObjectText(s3, bucket, `rejected/${key}.errors.jsonl`)).trimEnd().split('\n');
    expect(JSON.parse(report[0] ?? '{}')).toMatchObject({
      remainder: true,
      reasons: [expect.stringContaining('was replaced by a new upload')],
    });
    expect(JSON.parse(report.at(-1) ?? '{}').summary).toMatchObject({
      recordsRead: 2,
      accepted: 1,
      rejected: 1,
      complete: false,
    });
    const messages = await drainQueue(sqs, queueUrl, 1);
    expect(messages.map((sent) => sent.Attributes?.MessageGroupId)).toEqual(['rep-1']);
  });

  it('does nothing when a continuation arrives again after the file is finished', async () => {
    // Arrange: a file continued once and finished.
    const key = 'incoming/finished.jsonl';
    const version = 'v-finished';
    await putObject(
      s3,
      bucket,
      key,
      toJsonLines([anOrder({ orderId: 'fin-1' }), anOrder({ orderId: 'fin-2' })]),
    );
    await handler(s3Event({ bucket, key, versionId: version }), lambdaContext(CONTINUE_RESERVE_MS));
    const message = await nextContinuation();
    if (message === undefined) throw new Error('no continuation arrived');
    const event: SQSEvent = { Records: [toSqsRecord(message, continuationQueue.arn)] };
    await handler(event, lambdaContext(CONTINUE_RESERVE_MS + 10_000));
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: continuationQueue.url, ReceiptHandle: message.ReceiptHandle }),
    );
    const report = await readObjectText(s3, bucket, `rejected/${key}.errors.jsonl`);
    expect(await drainQueue(sqs, queueUrl, 2)).toHaveLength(2);

    // Act: SQS delivers the same message again.
    const response = await handler(event, lambdaContext(CONTINUE_RESERVE_MS + 10_000));

    // Assert
    expect(response.batchItemFailures).toEqual([]);
    expect(await readObjectText(s3, bucket, `rejected/${key}.errors.jsonl`)).toBe(report);
    expect(JSON.parse(report.trimEnd()).summary).toMatchObject({ recordsRead: 2, accepted: 2, rejected: 0 });
    expect(await drainQueue(sqs, queueUrl, 0)).toEqual([]);
    expect(await nextContinuation(1_500)).toBeUndefined();
  });

  it('lets only one of two invocations resuming from the same checkpoint move the file on', async () => {
    // Arrange
    const checkpoints = new CheckpointStore(makeDocumentClient(), table);
    const ref: ObjectRef = { bucket, key: 'incoming/raced.jsonl', version: 'v1', sequencer: '01', size: 1 };
    const next = {
      etag: '"e"',
      accepted: 1,
      rejected: 0,
      recordsRead: 1,
      segments: [],
      done: false,
      complete: true,
    };
    expect(await checkpoints.advance(ref, 0, { ...next, seq: 1 })).toBe(true);

    // Act
    const [first, second] = [
      await checkpoints.advance(ref, 1, { ...next, seq: 2, recordsRead: 5 }),
      await checkpoints.advance(ref, 1, { ...next, seq: 2, recordsRead: 9 }),
    ];

    // Assert
    expect([first, second]).toEqual([true, false]);
    expect(await checkpoints.load(ref)).toMatchObject({ seq: 2, recordsRead: 5 });
  });
});
