import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { makeProcessOrderHandler } from '../../../functions/process-order/sqs-handler';
import { lambdaContext } from '../../helpers/lambda-context';
import { orderPlaced, orderRecord, sqsEvent, sqsRecord } from '../../helpers/sqs-events';

const throttled = () =>
  new ProvisionedThroughputExceededException({ message: 'throughput exceeded', $metadata: {} });

const setUp = (options: { deadLetterClient?: () => SQSClient } = {}) => {
  const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const idempotencyClient = new DynamoDBClient({ region: 'us-east-1' });
  const sfn = new SFNClient({ region: 'us-east-1' });
  const sqs = new SQSClient({ region: 'us-east-1' });
  const mocks = {
    orders: mockClient(documentClient),
    idempotency: mockClient(idempotencyClient),
    sfn: mockClient(sfn),
    sqs: mockClient(sqs),
  };
  mocks.orders.on(PutCommand).resolves({});
  mocks.idempotency.on(PutItemCommand).resolves({});
  mocks.idempotency.on(UpdateItemCommand).resolves({});
  mocks.idempotency.on(DeleteItemCommand).resolves({});
  mocks.sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({
    executionArn: `arn:aws:states:us-east-1:123456789012:execution:Saga:${input.name}`,
    startDate: new Date(),
  }));
  mocks.sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-message' });
  const metrics = new Metrics({ namespace: 'test', serviceName: 'process-order' });
  const addMetric = jest.spyOn(metrics, 'addMetric');
  jest.spyOn(metrics, 'publishStoredMetrics').mockReturnValue(metrics);
  const handler = makeProcessOrderHandler({
    documentClient,
    idempotencyClient,
    sfn,
    deadLetterClient: options.deadLetterClient ?? (() => sqs),
    config: {
      ordersTable: 'orders',
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Saga',
    },
    idempotencyTable: 'idempotency',
    idempotencyExpiresAfterSeconds: 3_600,
    deadLetterQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/orders-dlq.fifo',
    clock: () => new Date('2026-11-22T10:00:00.000Z'),
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics,
  });
  return { handler, mocks, addMetric };
};

const orderIdsPut = (mock: ReturnType<typeof setUp>['mocks']['orders']) =>
  mock.commandCalls(PutCommand).map((call) => call.args[0].input.Item?.orderId);

describe('process-order handler', () => {
  it('reports a throttled record as a batch item failure and completes the other groups', async () => {
    // Arrange
    const { handler, mocks } = setUp();
    const slow = orderRecord(orderPlaced('order-a'));
    const fine = orderRecord(orderPlaced('order-b'));
    mocks.orders.on(PutCommand, { Item: { orderId: 'order-a' } }).rejects(throttled());

    // Act
    const response = await handler(sqsEvent(slow, fine), lambdaContext());

    // Assert
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: slow.messageId }]);
    expect(mocks.sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input.name)).toEqual([
      'order-b',
    ]);
    // The in-progress idempotency record is removed so the redelivery can do the work.
    expect(mocks.idempotency.commandCalls(DeleteItemCommand)).toHaveLength(1);
  });

  it('holds back the rest of a failed group and nothing else', async () => {
    // Arrange
    const { handler, mocks } = setUp();
    const a1 = orderRecord(orderPlaced('a-1'), { groupId: 'A' });
    const a2 = orderRecord(orderPlaced('a-2'), { groupId: 'A' });
    const b1 = orderRecord(orderPlaced('b-1'), { groupId: 'B' });
    const a3 = orderRecord(orderPlaced('a-3'), { groupId: 'A' });
    const b2 = orderRecord(orderPlaced('b-2'), { groupId: 'B' });
    mocks.orders.on(PutCommand, { Item: { orderId: 'a-2' } }).rejects(throttled());

    // Act
    const response = await handler(sqsEvent(a1, a2, b1, a3, b2), lambdaContext());

    // Assert
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: a2.messageId },
      { itemIdentifier: a3.messageId },
    ]);
    // Groups run at once: each in its own order, a-3 never tried after a-2 failed
    const put = orderIdsPut(mocks.orders);
    expect(put.filter((id) => id.startsWith('a-'))).toEqual(['a-1', 'a-2']);
    expect(put.filter((id) => id.startsWith('b-'))).toEqual(['b-1', 'b-2']);
  });

  it('processes the message groups of a batch at once, each group in order', async () => {
    // Arrange: every orders-table put of group A waits until group B has started
    const { handler, mocks } = setUp();
    const started: string[] = [];
    const bStarted = Promise.withResolvers<void>();
    mocks.orders.on(PutCommand).callsFake(async (input: { Item?: { orderId?: string } }) => {
      const orderId = input.Item?.orderId ?? '';
      started.push(orderId);
      if (orderId.startsWith('b-')) bStarted.resolve();
      if (orderId.startsWith('a-')) await bStarted.promise;
      return {};
    });
    const records = [
      orderRecord(orderPlaced('a-1'), { groupId: 'A' }),
      orderRecord(orderPlaced('a-2'), { groupId: 'A' }),
      orderRecord(orderPlaced('b-1'), { groupId: 'B' }),
    ];

    // Act
    const response = await handler(sqsEvent(...records), lambdaContext());

    // Assert: B began while A's first record was still in flight; A kept its order
    expect(response.batchItemFailures).toEqual([]);
    expect(started.indexOf('b-1')).toBeLessThan(started.indexOf('a-2'));
    expect(started.filter((id) => id.startsWith('a-'))).toEqual(['a-1', 'a-2']);
  });

  it('sends an invalid order to the DLQ at once and acknowledges it', async () => {
    // Arrange
    const { handler, mocks, addMetric } = setUp();
    const invalid = sqsRecord({ body: JSON.stringify({ orderId: 'bad-1', items: [] }), groupId: 'bad-1' });
    const valid = orderRecord(orderPlaced('good-1'));

    // Act
    const response = await handler(sqsEvent(invalid, valid), lambdaContext());

    // Assert
    expect(response.batchItemFailures).toEqual([]);
    const sent = mocks.sqs.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(sent?.MessageAttributes?.errorType?.StringValue).toBe('InvalidOrder');
    expect(sent?.MessageAttributes?.errorReason?.StringValue).toContain('items');
    expect(mocks.idempotency.commandCalls(PutItemCommand)).toHaveLength(1);
    expect(addMetric).toHaveBeenCalledWith('OrdersSentToDlq', 'Count', 1);
    expect(addMetric).toHaveBeenCalledWith('OrdersAccepted', 'Count', 1);
  });

  it('keeps a permanent failure on the queue when the DLQ send fails', async () => {
    // Arrange
    const { handler, mocks } = setUp();
    mocks.sqs.on(SendMessageCommand).rejects(new Error('DLQ unavailable'));
    const invalid = sqsRecord({ body: 'not json', groupId: 'g-1' });
    const valid = orderRecord(orderPlaced('good-2'));

    // Act
    const response = await handler(sqsEvent(invalid, valid), lambdaContext());

    // Assert
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: invalid.messageId }]);
  });

  it("keeps a permanent failure on the queue when the DLQ's client cannot be built", async () => {
    // Arrange: the client is built on the first send to the DLQ (dead-letter.lazy), and that fails.
    const { handler, mocks } = setUp({
      deadLetterClient: () => {
        throw new Error('cannot load dead-letter.lazy.js');
      },
    });
    const invalid = sqsRecord({ body: 'not json', groupId: 'g-1' });
    const valid = orderRecord(orderPlaced('good-3'));

    // Act
    const response = await handler(sqsEvent(invalid, valid), lambdaContext());

    // Assert
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: invalid.messageId }]);
    expect(mocks.sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    expect(mocks.sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input.name)).toEqual([
      'good-3',
    ]);
  });

  it('treats the same order id with other content in the idempotency record as a conflicting duplicate', async () => {
    // Arrange
    const { handler, mocks } = setUp();
    const storedRecord = {
      id: { S: 'orderflow.process-order#anything' },
      expiration: { N: String(Math.floor(Date.now() / 1000) + 3_600) },
      status: { S: 'COMPLETED' },
      validation: { S: 'hash-of-other-content' },
      data: { M: { orderId: { S: 'dup-1' }, outcome: { S: 'started' } } },
    };
    mocks.idempotency
      .on(PutItemCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {}, Item: storedRecord }));
    const record = orderRecord(orderPlaced('dup-1'));

    // Act
    const response = await handler(sqsEvent(record), lambdaContext());

    // Assert
    expect(response.batchItemFailures).toEqual([]);
    const sent = mocks.sqs.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(sent?.MessageAttributes?.errorType?.StringValue).toBe('ConflictingDuplicate');
    expect(mocks.orders.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('throws when every record of the batch fails, so Lambda returns the whole batch', async () => {
    // Arrange
    const { handler, mocks } = setUp();
    mocks.orders.on(PutCommand).rejects(throttled());
    const record = orderRecord(orderPlaced('order-z'));

    // Act
    const invocation = handler(sqsEvent(record), lambdaContext());

    // Assert
    await expect(invocation).rejects.toThrow('All records failed processing');
  });
});
