import { randomBytes } from 'node:crypto';
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** A name unique to this run, so test files can share the stand-ins in parallel. */
export const uniqueName = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

export const createBucket = async (s3: S3Client, prefix = 'ingest'): Promise<string> => {
  const bucket = uniqueName(prefix);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
};

/** A FIFO queue as the stack configures orders.fifo: explicit dedup ids, dedup and throughput per group. */
export const createFifoQueue = async (sqs: SQSClient, prefix = 'orders'): Promise<string> => {
  const created = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${uniqueName(prefix)}.fifo`,
      Attributes: {
        FifoQueue: 'true',
        ContentBasedDeduplication: 'false',
        DeduplicationScope: 'messageGroup',
        FifoThroughputLimit: 'perMessageGroupId',
        VisibilityTimeout: '60',
      },
    }),
  );
  if (created.QueueUrl === undefined) throw new Error('CreateQueue returned no QueueUrl');
  return created.QueueUrl;
};

/** The Powertools idempotency layout: partition key `id` (S). */
export const createIdempotencyTable = async (
  dynamodb: DynamoDBClient,
  prefix = 'idempotency',
): Promise<string> => {
  const table = uniqueName(prefix);
  await dynamodb.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
  return table;
};

export const putObject = async (
  s3: S3Client,
  bucket: string,
  key: string,
  body: string | Uint8Array,
): Promise<void> => {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
};

export const readObjectText = async (s3: S3Client, bucket: string, key: string): Promise<string> => {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await object.Body?.transformToString('utf8')) ?? '';
};

export interface DrainOptions {
  /** Stop waiting for more after this long. @default 10 s */
  readonly deadlineMs?: number;
  /** After the expected count arrived, how long to keep listening for extras. @default 300 ms */
  readonly quietMs?: number;
}

/**
 * Receives and deletes messages until `expected` arrived and the queue has stayed empty for
 * `quietMs`, or the deadline passes. A FIFO stand-in may hand out one message per group per
 * receive, so this polls rather than expecting everything in one call.
 */
export const drainQueue = async (
  sqs: SQSClient,
  queueUrl: string,
  expected: number,
  options: DrainOptions = {},
): Promise<Message[]> => {
  const deadline = Date.now() + (options.deadlineMs ?? 10_000);
  const quietMs = options.quietMs ?? 300;
  const messages: Message[] = [];
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const batch = received.Messages ?? [];
    if (batch.length > 0) {
      messages.push(...batch);
      quietSince = Date.now();
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
    } else if (messages.length >= expected && Date.now() - quietSince >= quietMs) {
      break;
    } else {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  return messages;
};
