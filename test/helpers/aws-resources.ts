import { CreateTableCommand, type DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { uniqueName } from './names';

export const createBucket = async (s3: S3Client, prefix = 'ingest'): Promise<string> => {
  const bucket = uniqueName(prefix);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
};

export interface TestQueue {
  readonly url: string;
  readonly arn: string;
}

/** The attributes the stack gives orders.fifo: explicit dedup ids, dedup and throughput per group. */
export const ORDERS_QUEUE_ATTRIBUTES: Readonly<Record<string, string>> = {
  ContentBasedDeduplication: 'false',
  DeduplicationScope: 'messageGroup',
  FifoThroughputLimit: 'perMessageGroupId',
  VisibilityTimeout: '60',
};

/** A uniquely named FIFO queue (`<prefix>-<id>.fifo`) with `attributes` on top of FifoQueue. */
export const createFifoQueue = async (
  sqs: SQSClient,
  prefix: string,
  attributes: Readonly<Record<string, string>> = {},
): Promise<TestQueue> => {
  const name = `${uniqueName(prefix)}.fifo`;
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: { FifoQueue: 'true', ...attributes } }),
  );
  if (!QueueUrl) throw new Error(`CreateQueue returned no URL for ${name}`);
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  if (!Attributes?.QueueArn) throw new Error(`queue ${name} has no ARN`);
  return { url: QueueUrl, arn: Attributes.QueueArn };
};

/** A uniquely named PAY_PER_REQUEST table with the string partition key `key`. */
export const createTable = async (dynamodb: DynamoDBClient, prefix: string, key: string): Promise<string> => {
  const table = uniqueName(prefix);
  await dynamodb.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
    }),
  );
  return table;
};

/** The Powertools idempotency layout: partition key `id` (S), TTL on `expiration`. */
export const createIdempotencyTable = async (
  dynamodb: DynamoDBClient,
  prefix = 'idempotency',
): Promise<string> => {
  const table = await createTable(dynamodb, prefix, 'id');
  await dynamodb.send(
    new UpdateTimeToLiveCommand({
      TableName: table,
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    }),
  );
  return table;
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
 * receive, and a message in flight holds back the rest of its group, so this polls and deletes
 * rather than expecting everything in one call.
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
