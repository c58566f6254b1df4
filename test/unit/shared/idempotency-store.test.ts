import { IdempotencyConfig, IdempotencyItemAlreadyExistsError } from '@aws-lambda-powertools/idempotency';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { RetrySafeDynamoDBPersistenceLayer } from '#shared/aws/idempotency-store';

type Item = Record<string, AttributeValue>;

/** A PutItem whose condition failed on `found`, as DynamoDB answers it (ReturnValuesOnConditionCheckFailure). */
const conditionFailedOn = (found: Item) =>
  new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
    Item: found,
  });

describe('RetrySafeDynamoDBPersistenceLayer', () => {
  const dynamodb = new DynamoDBClient({ region: 'eu-west-1' });
  const mock = mockClient(dynamodb);
  const layer = new RetrySafeDynamoDBPersistenceLayer({ tableName: 'idempotency', awsSdkV3Client: dynamodb });
  layer.configure({
    config: new IdempotencyConfig({ eventKeyJmesPath: 'orderId', payloadValidationJmesPath: 'contentHash' }),
    functionName: 'process-order',
  });
  const order = { orderId: 'order-1', contentHash: 'abc' };

  beforeEach(() => mock.reset());

  it('has taken the lock when the put finds the very in-progress record it wrote (its first answer was lost)', async () => {
    // Arrange: the SDK's second attempt meets the item its first attempt wrote
    mock.on(PutItemCommand).callsFake((input: { Item: Item }) => {
      throw conditionFailedOn(input.Item);
    });

    // Act / Assert
    await expect(layer.saveInProgress(order, 30_000)).resolves.toBeUndefined();
    expect(mock.commandCalls(PutItemCommand)).toHaveLength(1);
  });

  it.each([
    [
      'another invocation’s lock (another deadline)',
      (item: Item) => ({
        ...item,
        in_progress_expiration: { N: String(Number(item.in_progress_expiration?.N) + 1) },
      }),
    ],
    ['a completed record', (item: Item) => ({ ...item, status: { S: 'COMPLETED' } })],
    ['a lock for other content', (item: Item) => ({ ...item, validation: { S: 'another hash' } })],
    ['a record without an in-progress expiry', ({ in_progress_expiration: _, ...item }: Item) => item],
  ])('still reports the key as taken when the put finds %s', async (_what, change) => {
    // Arrange
    mock.on(PutItemCommand).callsFake((input: { Item: Item }) => {
      throw conditionFailedOn(change(input.Item));
    });

    // Act / Assert
    await expect(layer.saveInProgress(order, 30_000)).rejects.toBeInstanceOf(
      IdempotencyItemAlreadyExistsError,
    );
  });

  it('passes any other failure on', async () => {
    // Arrange
    mock.on(PutItemCommand).rejects(new Error('socket hang up'));

    // Act / Assert
    await expect(layer.saveInProgress(order, 30_000)).rejects.toThrow('socket hang up');
  });
});
