import {
  type BillingMode,
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { BucketAlreadyOwnedByYou, CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, type SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { LocalQueue, LocalTable, LocalTopology } from './topology';

export interface ResourceClients {
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly dynamodb: DynamoDBClient;
}

/** Dead-letter queues first: a redrive policy may only name a queue that exists. */
const inCreationOrder = (queues: readonly LocalQueue[]): LocalQueue[] => {
  const targets = new Set(
    queues.flatMap((queue) => (queue.redrive ? [queue.redrive.deadLetterTargetArn] : [])),
  );
  return [...queues].sort((a, b) => Number(targets.has(b.arn)) - Number(targets.has(a.arn)));
};

const createQueue = async (sqs: SQSClient, queue: LocalQueue): Promise<void> => {
  const created = await sqs.send(
    new CreateQueueCommand({ QueueName: queue.name, Attributes: { ...queue.attributes } }),
  );
  // The topology predicted this URL for the functions' environment; a stand-in that names queues
  // differently would leave them pointing nowhere.
  if (created.QueueUrl !== queue.url) {
    throw new Error(
      `queue ${queue.name} got URL ${created.QueueUrl}, but the functions were given ${queue.url}`,
    );
  }
};

const addMissingIndexes = async (dynamodb: DynamoDBClient, table: LocalTable): Promise<void> => {
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: table.name }));
  const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  for (const index of table.globalSecondaryIndexes) {
    if (present.has(index.IndexName)) continue;
    await dynamodb.send(
      new UpdateTableCommand({
        TableName: table.name,
        AttributeDefinitions: [...table.attributeDefinitions],
        GlobalSecondaryIndexUpdates: [{ Create: { ...index, KeySchema: [...index.KeySchema] } }],
      }),
    );
  }
};

const createTable = async (dynamodb: DynamoDBClient, table: LocalTable): Promise<void> => {
  const billing: BillingMode = 'PAY_PER_REQUEST';
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: table.name,
        KeySchema: [...table.keySchema],
        AttributeDefinitions: [...table.attributeDefinitions],
        BillingMode: billing,
        ...(table.globalSecondaryIndexes.length > 0
          ? {
              GlobalSecondaryIndexes: table.globalSecondaryIndexes.map((index) => ({
                ...index,
                KeySchema: [...index.KeySchema],
              })),
            }
          : {}),
        ...(table.localSecondaryIndexes.length > 0
          ? {
              LocalSecondaryIndexes: table.localSecondaryIndexes.map((index) => ({
                ...index,
                KeySchema: [...index.KeySchema],
              })),
            }
          : {}),
      }),
    );
  } catch (error) {
    // A kept --state-dir already has its tables; an index added to the stack since is added here too.
    if (!(error instanceof ResourceInUseException)) throw error;
    await addMissingIndexes(dynamodb, table);
  }
  if (table.ttlAttribute === undefined) return;
  const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: table.name }));
  if (ttl.TimeToLiveDescription?.TimeToLiveStatus === 'ENABLED') return;
  await dynamodb.send(
    new UpdateTimeToLiveCommand({
      TableName: table.name,
      TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
    }),
  );
};

/** Creates every bucket, queue (with its real attributes and redrive policy), table and topic. */
export const createResources = async (topology: LocalTopology, clients: ResourceClients): Promise<void> => {
  for (const bucket of topology.buckets) {
    try {
      await clients.s3.send(new CreateBucketCommand({ Bucket: bucket.name }));
    } catch (error) {
      if (!(error instanceof BucketAlreadyOwnedByYou)) throw error;
    }
  }
  for (const queue of inCreationOrder(topology.queues)) await createQueue(clients.sqs, queue);
  await Promise.all(topology.tables.map((table) => createTable(clients.dynamodb, table)));
  for (const topic of topology.topics) {
    await clients.sns.send(new CreateTopicCommand({ Name: topic.name, Attributes: { ...topic.attributes } }));
  }
};
