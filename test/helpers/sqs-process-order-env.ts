import {
  DeleteItemCommand,
  type DynamoDBClient,
  ProvisionedThroughputExceededException,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createFifoQueue, createIdempotencyTable, createTable, type TestQueue } from './aws-resources';

/** What the process-order consumer needs around it besides its source queue and the saga. */
export interface ProcessOrderResources {
  readonly ordersTable: string;
  readonly idempotencyTable: string;
  readonly deadLetterQueue: TestQueue;
}

/** Uniquely named orders and idempotency tables (Powertools layout: `id`, TTL on `expiration`) and a FIFO DLQ. */
export const createProcessOrderResources = async (
  dynamodb: DynamoDBClient,
  sqs: SQSClient,
): Promise<ProcessOrderResources> => {
  const ordersTable = await createTable(dynamodb, 'orders', 'orderId');
  const idempotencyTable = await createIdempotencyTable(dynamodb);
  const deadLetterQueue = await createFifoQueue(sqs, 'orders-dlq');
  return { ordersTable, idempotencyTable, deadLetterQueue };
};

/**
 * Ends every idempotency record the way time would, without waiting for it. `expire` dates the
 * records in the past (expired, not yet swept by TTL); `delete` removes them (swept).
 */
export const expireIdempotencyRecords = async (
  dynamodb: DynamoDBClient,
  tableName: string,
  how: 'expire' | 'delete',
): Promise<number> => {
  const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
  for (const item of Items) {
    const Key = { id: item.id ?? { S: '' } };
    if (how === 'delete') {
      await dynamodb.send(new DeleteItemCommand({ TableName: tableName, Key }));
    } else {
      await dynamodb.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key,
          UpdateExpression: 'SET expiration = :past',
          ExpressionAttributeValues: { ':past': { N: String(Math.floor(Date.now() / 1000) - 60) } },
        }),
      );
    }
  }
  return Items.length;
};

/**
 * Makes the client's PutItem calls for the given order ids fail with DynamoDB's throttling error,
 * `times` times in all (or always). It runs before the SDK's own retries, as throttling that
 * outlasted them would. Returns how many failures it injected so far.
 */
export const injectPutThrottling = (
  client: { middlewareStack: DynamoDBClient['middlewareStack'] },
  orderIds: readonly string[],
  times = Number.POSITIVE_INFINITY,
): (() => number) => {
  let injected = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Item?: { orderId?: unknown } };
      const orderId = input.Item?.orderId;
      if (
        context.commandName === 'PutItemCommand' &&
        typeof orderId === 'string' &&
        orderIds.includes(orderId) &&
        injected < times
      ) {
        injected += 1;
        throw new ProvisionedThroughputExceededException({
          message: 'injected: the level of configured provisioned throughput for the table was exceeded',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return next(args);
    },
    { step: 'initialize', name: `injectPutThrottling-${orderIds.join('-')}` },
  );
  return () => injected;
};
