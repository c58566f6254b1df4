import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { handler as IngestHandler } from '../../functions/ingest/handler';
import {
  createBucket,
  createFifoQueue,
  createIdempotencyTable,
  ORDERS_QUEUE_ATTRIBUTES,
} from './aws-resources';
import { readObjectText } from './s3-objects';

/** What the ingest function works with: its bucket, the orders queue and its idempotency table. */
export interface IngestEnv {
  readonly bucket: string;
  readonly queueUrl: string;
  readonly table: string;
  readonly handler: typeof IngestHandler;
}

/** Creates the resources, points the environment at them and only then imports the handler. */
export const setUpIngest = async (
  s3: S3Client,
  sqs: SQSClient,
  dynamodb: DynamoDBClient,
): Promise<IngestEnv> => {
  const [bucket, queue, table] = await Promise.all([
    createBucket(s3),
    createFifoQueue(sqs, 'orders', ORDERS_QUEUE_ATTRIBUTES),
    createIdempotencyTable(dynamodb),
  ]);
  process.env.ORDERS_QUEUE_URL = queue.url;
  process.env.IDEMPOTENCY_TABLE = table;
  // The handler reads its environment at module scope, like a Lambda cold start.
  const { handler } = await import('../../functions/ingest/handler');
  return { bucket, queueUrl: queue.url, table, handler };
};

/** The parsed lines of the rejects report ingest writes for `key`. */
export const readReport = async <T = Record<string, unknown>>(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<T[]> =>
  (await readObjectText(s3, bucket, `rejected/${key}.errors.jsonl`))
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as T);
