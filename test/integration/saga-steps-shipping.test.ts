import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { DynamoOrderRepository } from '#shared/adapters/dynamo-order-repository';
import { makeDocumentClient, makeDynamoDbClient, makeSnsClient, makeSqsClient } from '#shared/aws/clients';
import { uniqueName } from '../helpers/names';
import { executionStatusChange } from '../helpers/saga-events';
import { carrierHasLiveParcel, putNewOrder, readOrder } from '../helpers/saga-items';
import { type SagaTables, type StepHandler, setUpSagaTables } from '../helpers/saga-tables';

const dynamodb = makeDynamoDbClient();
const documentClient = makeDocumentClient(dynamodb);
const sns = makeSnsClient();
const sqs = makeSqsClient();
let tables: SagaTables;
let topicArn: string;
let queueUrl: string;
let ship: StepHandler;
let confirm: StepHandler;
let cancelShipment: StepHandler;
let record: StepHandler;
/** What the execution-ended rule does to an order whose execution timed out. */
let markNeedsAttention: (orderId: string) => Promise<unknown>;

/** A queue subscribed to the topic, to see what the notifier published. */
const subscribeQueue = async (topic: string): Promise<string> => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('notifications') }));
  if (!QueueUrl) throw new Error('CreateQueue returned no QueueUrl');
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  await sns.send(
    new SubscribeCommand({
      TopicArn: topic,
      Protocol: 'sqs',
      Endpoint: Attributes?.QueueArn,
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );
  return QueueUrl;
};

const receiveFor = async (orderId: string, deadlineMs = 5_000): Promise<Message[]> => {
  const deadline = Date.now() + deadlineMs;
  const found: Message[] = [];
  while (Date.now() < deadline && found.length === 0) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    found.push(...(Messages ?? []).filter((message) => message.Body?.includes(orderId)));
  }
  return found;
};

beforeAll(async () => {
  const created = await sns.send(new CreateTopicCommand({ Name: uniqueName('notifications') }));
  if (!created.TopicArn) throw new Error('CreateTopic returned no TopicArn');
  topicArn = created.TopicArn;
  queueUrl = await subscribeQueue(topicArn);
  tables = await setUpSagaTables(dynamodb, topicArn);
  ship = (await import('../../functions/saga/create-shipment/handler')).handler;
  confirm = (await import('../../functions/saga/confirm-order/handler')).handler;
  cancelShipment = (await import('../../functions/saga/cancel-shipment/handler')).handler;
  record = (await import('../../functions/saga/record-outcome/handler')).handler;
  const executionEnded = (await import('../../functions/saga/execution-ended/handler')).handler;
  markNeedsAttention = (orderId) => executionEnded(executionStatusChange(orderId, 'TIMED_OUT'));
});

afterAll(() => {
  dynamodb.destroy();
  sns.destroy();
  sqs.destroy();
});

const prepare = async (shipTo: { country?: string; postalCode?: string } = {}) => {
  const input = await putNewOrder(documentClient, tables, shipTo);
  return {
    input,
    orderId: input.order.orderId,
    order: () => readOrder(documentClient, tables, input.order.orderId),
  };
};

describe('create-shipment and confirm-order against DynamoDB Local and SNS', () => {
  it('books a shipment once, stores it on the order and records SHIPPED', async () => {
    // Arrange
    const { input, order } = await prepare();

    // Act
    const first = await ship(input);
    const second = await ship(input);

    // Assert
    expect(first).toEqual({
      trackingId: expect.stringMatching(/^SIM[0-9A-F]{16}$/),
      carrier: 'simulated-post',
    });
    expect(second).toEqual(first);
    const stored = await order();
    expect(stored).toMatchObject({ status: 'SHIPPED', shipment: first });
    expect(stored?.history.map((entry) => entry.status)).toEqual(['RECEIVED', 'SHIPPED']);
  });

  it.each([
    [{ country: 'AQ' }, 'AQ'],
    [{ country: 'KP' }, 'KP'],
    [{ postalCode: '00000' }, '00000'],
  ])('throws ShippingError for %j and books nothing', async (shipTo, named) => {
    // Arrange
    const { input, order } = await prepare(shipTo);

    // Act
    const attempt = ship(input);

    // Assert
    await expect(attempt).rejects.toMatchObject({
      name: 'ShippingError',
      message: expect.stringContaining(named),
    });
    expect((await order())?.shipment).toBeUndefined();
  });

  it('cancels a booked shipment at the carrier and keeps the order from shipping again', async () => {
    // Arrange
    const { input, orderId, order } = await prepare();
    const shipment = (await ship(input)) as { trackingId: string };
    const liveBefore = await carrierHasLiveParcel(documentClient, tables, orderId);

    // Act
    const first = await cancelShipment(input);
    const second = await cancelShipment(input);
    const late = ship(input);

    // Assert
    expect(liveBefore).toBe(true);
    expect(first).toEqual({ outcome: 'CANCELLED', trackingId: shipment.trackingId });
    expect(second).toEqual(first);
    await expect(late).rejects.toMatchObject({ name: 'ShipmentCancelled' });
    expect(await carrierHasLiveParcel(documentClient, tables, orderId)).toBe(false);
    expect(await order()).toMatchObject({ shipment, shipmentCancelledAt: expect.any(String) });
  });

  it('cancels a parcel the carrier booked though its answer was lost', async () => {
    // Arrange
    const { input, orderId, order } = await prepare({ postalCode: '99998' });
    await expect(ship(input)).rejects.toMatchObject({ name: 'CarrierGatewayError' });
    const liveBefore = await carrierHasLiveParcel(documentClient, tables, orderId);

    // Act
    const result = await cancelShipment(input);

    // Assert
    expect(liveBefore).toBe(true);
    expect(result).toEqual({ outcome: 'CANCELLED', trackingId: expect.stringMatching(/^SIM/) });
    expect(await carrierHasLiveParcel(documentClient, tables, orderId)).toBe(false);
    expect((await order())?.shipment).toBeUndefined();
  });

  it('keeps a booking that lands after the cancellation off the order', async () => {
    // Arrange: CreateShipment had the carrier's answer but had not stored it when the compensation ran.
    const { input, orderId, order } = await prepare();
    const repository = new DynamoOrderRepository(documentClient, tables.orders);
    await cancelShipment(input);

    // Act
    const late = repository.attachShipment(
      orderId,
      { trackingId: 'SIMLATE', carrier: 'simulated-post' },
      '2026-11-22T12:00:00.000Z',
    );

    // Assert
    await expect(late).rejects.toMatchObject({ name: 'ShipmentCancelled' });
    expect((await order())?.shipment).toBeUndefined();
  });

  it('cancels nothing for an order the carrier never booked, and books nothing for it later', async () => {
    // Arrange
    const { input, orderId, order } = await prepare();

    // Act
    const result = await cancelShipment(input);
    const late = ship(input);

    // Assert
    expect(result).toEqual({ outcome: 'NOTHING_TO_CANCEL', trackingId: null });
    await expect(late).rejects.toMatchObject({ name: 'ShipmentCancelled' });
    expect(await carrierHasLiveParcel(documentClient, tables, orderId)).toBe(false);
    expect((await order())?.status).toBe('RECEIVED');
  });

  it('completes the order and publishes "order completed" with the tracking id', async () => {
    // Arrange
    const { input, orderId, order } = await prepare();
    const shipment = (await ship(input)) as { trackingId: string };

    // Act
    const summary = await confirm(input);

    // Assert
    expect(summary).toEqual({ status: 'COMPLETED', notified: true });
    expect((await order())?.status).toBe('COMPLETED');
    const [message] = await receiveFor(orderId);
    expect(JSON.parse(message?.Body ?? '{}')).toMatchObject({
      eventType: 'OrderCompleted',
      orderId,
      trackingId: shipment.trackingId,
      totalCents: input.order.totalCents,
      correlationId: input.correlationId,
    });
  });

  it('completes an order that needed attention when a redriven execution confirms it', async () => {
    // Arrange
    const { input, orderId, order } = await prepare();
    await ship(input);
    await markNeedsAttention(orderId);

    // Act
    const summary = await confirm(input);

    // Assert
    expect(summary).toEqual({ status: 'COMPLETED', notified: true });
    expect((await order())?.history.map((entry) => entry.status)).toEqual([
      'RECEIVED',
      'SHIPPED',
      'NEEDS_ATTENTION',
      'COMPLETED',
    ]);
    expect(await receiveFor(orderId)).toHaveLength(1);
  });

  it('refuses to confirm a cancelled order and keeps it cancelled', async () => {
    // Arrange
    const { input, orderId, order } = await prepare();
    await record({ status: 'CANCELLED', state: { ...input, error: { Error: 'ShippingError' } } });

    // Act
    const attempt = confirm(input);

    // Assert
    await expect(attempt).rejects.toMatchObject({ name: 'OrderStatusConflict' });
    expect(await order()).toMatchObject({ orderId, status: 'CANCELLED' });
  });

  it('completes the order when the notification cannot be published', async () => {
    // Arrange: a fresh copy of the handler whose topic does not exist.
    const { input, order } = await prepare();
    let confirmWithoutTopic: StepHandler | undefined;
    await jest.isolateModulesAsync(async () => {
      process.env.NOTIFICATIONS_TOPIC_ARN = `${topicArn}-missing`;
      confirmWithoutTopic = (await import('../../functions/saga/confirm-order/handler')).handler;
      process.env.NOTIFICATIONS_TOPIC_ARN = topicArn;
    });

    // POWERTOOLS_DEV makes the logger write through the global console.
    const errorLog = jest.spyOn(console, 'error').mockImplementation(() => undefined);

    // Act
    const summary = await confirmWithoutTopic?.(input);

    // Assert
    expect(summary).toEqual({ status: 'COMPLETED', notified: false });
    expect((await order())?.status).toBe('COMPLETED');
    expect(String(errorLog.mock.calls[0]?.[0])).toContain('notification was not published');
    errorLog.mockRestore();
  });
});
