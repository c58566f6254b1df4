import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ConflictingDuplicate } from '#shared/errors/index';
import { orderPlacedSchema } from '#shared/schemas/order-placed';
import { putReceivedOrder } from '../../../functions/process-order/orders-table';
import { orderPlaced } from '../../helpers/sqs-events';

const now = new Date('2026-11-22T08:00:00.000Z');
const EXECUTION_ARN = 'arn:aws:states:us-east-1:123456789012:execution:saga:order-7';
const received = {
  order: orderPlacedSchema().parse(orderPlaced('order-7')),
  contentHash: 'hash-1',
  correlationId: 'bucket/incoming/a.jsonl#3',
};
const conditionFailed = (item?: Record<string, { S: string }>) =>
  new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
    Item: item,
  });

describe('putReceivedOrder', () => {
  const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const mock = mockClient(documentClient);

  beforeEach(() => mock.reset());

  it('writes a new order as RECEIVED with its first history entry, only if none exists', async () => {
    // Arrange
    mock.on(PutCommand).resolves({});

    // Act
    const outcome = await putReceivedOrder(documentClient, 'orders', received, now, EXECUTION_ARN);

    // Assert
    expect(outcome).toEqual({ kind: 'created' });
    const put = mock.commandCalls(PutCommand)[0]?.args[0].input;
    expect(put?.ConditionExpression).toBe('attribute_not_exists(orderId)');
    expect(put?.Item).toEqual({
      orderId: 'order-7',
      status: 'RECEIVED',
      history: [{ status: 'RECEIVED', at: '2026-11-22T08:00:00.000Z' }],
      contentHash: 'hash-1',
      order: received.order,
      correlationId: 'bucket/incoming/a.jsonl#3',
      sagaExecutionArn: EXECUTION_ARN,
      createdAt: '2026-11-22T08:00:00.000Z',
      updatedAt: '2026-11-22T08:00:00.000Z',
    });
  });

  it('leaves an existing order with the same content untouched and reports its status', async () => {
    // Arrange
    mock.on(PutCommand).rejects(conditionFailed({ contentHash: { S: 'hash-1' }, status: { S: 'CHARGED' } }));

    // Act
    const outcome = await putReceivedOrder(documentClient, 'orders', received, now, EXECUTION_ARN);

    // Assert
    expect(outcome).toEqual({ kind: 'exists', status: 'CHARGED' });
  });

  it('reports the execution that owns an existing order, such as one started by hand', async () => {
    // Arrange
    const handStarted = 'arn:aws:states:us-east-1:123456789012:execution:saga:by-hand';
    mock.on(PutCommand).rejects(
      conditionFailed({
        contentHash: { S: 'hash-1' },
        status: { S: 'RECEIVED' },
        sagaExecutionArn: { S: handStarted },
      }),
    );

    // Act
    const outcome = await putReceivedOrder(documentClient, 'orders', received, now, EXECUTION_ARN);

    // Assert
    expect(outcome).toEqual({ kind: 'exists', status: 'RECEIVED', sagaExecutionArn: handStarted });
  });

  it('rejects an existing order with other content as a conflicting duplicate', async () => {
    // Arrange
    mock.on(PutCommand).rejects(conditionFailed({ contentHash: { S: 'hash-2' }, status: { S: 'RECEIVED' } }));

    // Act
    const outcome = putReceivedOrder(documentClient, 'orders', received, now, EXECUTION_ARN);

    // Assert
    await expect(outcome).rejects.toBeInstanceOf(ConflictingDuplicate);
  });

  it('reads the existing item when the condition failure does not carry it', async () => {
    // Arrange
    mock.on(PutCommand).rejects(conditionFailed());
    mock.on(GetCommand).resolves({ Item: { contentHash: 'hash-1', status: 'RECEIVED' } });

    // Act
    const outcome = await putReceivedOrder(documentClient, 'orders', received, now, EXECUTION_ARN);

    // Assert
    expect(outcome).toEqual({ kind: 'exists', status: 'RECEIVED' });
  });

  it('passes throttling through for a retry', async () => {
    // Arrange
    mock
      .on(PutCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'throttled', $metadata: {} }));

    // Act
    const outcome = putReceivedOrder(documentClient, 'orders', received, now, EXECUTION_ARN);

    // Assert
    await expect(outcome).rejects.toBeInstanceOf(ProvisionedThroughputExceededException);
  });
});
