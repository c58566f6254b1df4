import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import {
  ChangeMessageVisibilityCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { makeDocumentClient, makeDynamoDbClient, makeSqsClient } from '#shared/aws/clients';
import { contentHash } from '#shared/schemas/order-placed';
import { makeProcessOrderHandler, type ProcessOrderHandler } from '../../functions/process-order/sqs-handler';
import { type LocalStepFunctions, startLocalStepFunctions } from '../../local/sfn';
import { createFifoQueue, drainQueue, ORDERS_QUEUE_ATTRIBUTES } from '../helpers/aws-resources';
import { lambdaContext } from '../helpers/lambda-context';
import { uniqueName } from '../helpers/names';
import { pollOnce } from '../helpers/sqs-event-source';
import { orderBody, orderPlaced, orderRecord, sqsEvent, sqsRecord } from '../helpers/sqs-events';
import {
  createProcessOrderResources,
  expireIdempotencyRecords,
  injectPutThrottling,
  type ProcessOrderResources,
} from '../helpers/sqs-process-order-env';

const failedAt = new Date('2026-11-22T12:00:00.000Z');
const sagaDefinition = readFileSync(join(__dirname, '../fixtures/process-order-saga.asl.json'), 'utf8');

describe('process-order against the stand-ins', () => {
  let dynamodb: DynamoDBClient;
  let sqs: SQSClient;
  let reader: DynamoDBDocumentClient;
  let sfn: SFNClient;
  let stepFunctions: LocalStepFunctions;
  let stateMachineArn: string;
  let resources: ProcessOrderResources;

  beforeAll(async () => {
    dynamodb = makeDynamoDbClient();
    sqs = makeSqsClient();
    reader = makeDocumentClient(dynamodb);
    resources = await createProcessOrderResources(dynamodb, sqs);
    const name = uniqueName('process-order-saga');
    stepFunctions = await startLocalStepFunctions({
      stateMachines: [{ name, definition: sagaDefinition, lambdaHandlers: {} }],
    });
    stateMachineArn = stepFunctions.stateMachineArn(name);
    sfn = new SFNClient({ endpoint: stepFunctions.endpoint });
  });

  afterAll(async () => {
    await stepFunctions?.stop();
    for (const client of [dynamodb, sqs, sfn]) client?.destroy();
  });

  /** A handler on its own clients, so a test's injected failures stay in that test. */
  const makeHandler = (
    sagaClient: SFNClient = sfn,
  ): { handler: ProcessOrderHandler; documentClient: DynamoDBDocumentClient } => {
    const documentClient = makeDocumentClient(makeDynamoDbClient());
    const handler = makeProcessOrderHandler({
      documentClient,
      idempotencyClient: makeDynamoDbClient(),
      sfn: sagaClient,
      deadLetterClient: () => sqs,
      config: { ordersTable: resources.ordersTable, stateMachineArn },
      idempotencyTable: resources.idempotencyTable,
      idempotencyExpiresAfterSeconds: 3_600,
      deadLetterQueueUrl: resources.deadLetterQueue.url,
      clock: () => failedAt,
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'test', serviceName: 'process-order' }),
    });
    return { handler, documentClient };
  };

  const orderItem = async (orderId: string) =>
    (
      await reader.send(
        new GetCommand({ TableName: resources.ordersTable, Key: { orderId }, ConsistentRead: true }),
      )
    ).Item;

  const executionsNamed = async (orderId: string) => {
    const { executions = [] } = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    return executions.filter((execution) => execution.name === orderId);
  };

  it('completes group B and reports only the rest of group A when A’s second message fails', async () => {
    // Arrange
    const id = uniqueName('grp');
    const { handler, documentClient } = makeHandler();
    injectPutThrottling(documentClient, [`${id}-a2`]);
    const a1 = orderRecord(orderPlaced(`${id}-a1`), { groupId: `${id}-A` });
    const a2 = orderRecord(orderPlaced(`${id}-a2`), { groupId: `${id}-A` });
    const b1 = orderRecord(orderPlaced(`${id}-b1`), { groupId: `${id}-B` });
    const a3 = orderRecord(orderPlaced(`${id}-a3`), { groupId: `${id}-A` });
    const b2 = orderRecord(orderPlaced(`${id}-b2`), { groupId: `${id}-B` });

    // Act
    const response = await handler(sqsEvent(a1, a2, b1, a3, b2), lambdaContext());

    // Assert
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: a2.messageId },
      { itemIdentifier: a3.messageId },
    ]);
    for (const done of ['a1', 'b1', 'b2']) {
      expect((await orderItem(`${id}-${done}`))?.status).toBe('RECEIVED');
      expect(await executionsNamed(`${id}-${done}`)).toHaveLength(1);
    }
    for (const held of ['a2', 'a3']) {
      expect(await orderItem(`${id}-${held}`)).toBeUndefined();
      expect(await executionsNamed(`${id}-${held}`)).toHaveLength(0);
    }
  });

  it('receives several messages of one group in one batch from the queue, in order, and holds back the rest of that group after a failure', async () => {
    // Arrange: three orders in group A, one in group B, on a FIFO queue of the stand-in (patched fauxqs)
    const id = uniqueName('fifo');
    const queue = await createFifoQueue(sqs, 'orders', ORDERS_QUEUE_ATTRIBUTES);
    const sent = [
      ['a1', 'A'],
      ['a2', 'A'],
      ['b1', 'B'],
      ['a3', 'A'],
    ] as const;
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: sent.map(([order, group]) => ({
          Id: order,
          MessageBody: orderBody(orderPlaced(`${id}-${order}`)),
          MessageGroupId: `${id}-${group}`,
          MessageDeduplicationId: `${id}-${order}`,
        })),
      }),
    );
    const { handler, documentClient } = makeHandler();
    injectPutThrottling(documentClient, [`${id}-a2`], 1);
    const batches: SQSEvent[] = [];

    // Act
    const first = await pollOnce(
      sqs,
      queue,
      async (event, context) => {
        batches.push(event);
        return handler(event, context);
      },
      lambdaContext(),
    );
    // The failed messages come back as their visibility ends, here at once and in reverse order.
    const byOrder = new Map(
      (batches[0]?.Records ?? []).map((record) => [JSON.parse(record.body).orderId as string, record]),
    );
    for (const order of ['a3', 'a2']) {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queue.url,
          ReceiptHandle: byOrder.get(`${id}-${order}`)?.receiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    }
    const { Messages: again = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );

    // Assert
    const orderIds = (event: SQSEvent | undefined) =>
      (event?.Records ?? []).map((record) => (JSON.parse(record.body) as { orderId: string }).orderId);
    expect(batches).toHaveLength(1);
    expect(orderIds(batches[0])).toEqual([`${id}-a1`, `${id}-a2`, `${id}-a3`, `${id}-b1`]);
    expect(first.received).toBe(4);
    expect(new Set(first.failedMessageIds)).toEqual(
      new Set([byOrder.get(`${id}-a2`)?.messageId, byOrder.get(`${id}-a3`)?.messageId]),
    );
    expect((await orderItem(`${id}-a1`))?.status).toBe('RECEIVED');
    expect((await orderItem(`${id}-b1`))?.status).toBe('RECEIVED');
    expect(await orderItem(`${id}-a3`)).toBeUndefined();
    expect(again.map((message) => (JSON.parse(message.Body ?? '{}') as { orderId: string }).orderId)).toEqual(
      [`${id}-a2`, `${id}-a3`],
    );
  });

  it('accepts an order delivered twice once: one order item, one execution', async () => {
    // Arrange
    const order = orderPlaced(uniqueName('twice'));
    const { handler } = makeHandler();
    const first = orderRecord(order, { correlationId: 'bucket/incoming/a.jsonl#1' });
    const again = orderRecord(order, { correlationId: 'bucket/incoming/b.jsonl#7' });

    // Act
    const responses = [
      await handler(sqsEvent(first), lambdaContext()),
      await handler(sqsEvent(again), lambdaContext()),
    ];

    // Assert
    expect(responses.map((response) => response.batchItemFailures)).toEqual([[], []]);
    const item = await orderItem(order.orderId);
    expect(item).toMatchObject({
      status: 'RECEIVED',
      correlationId: 'bucket/incoming/a.jsonl#1',
      contentHash: contentHash(orderBody(order)),
      history: [{ status: 'RECEIVED', at: failedAt.toISOString() }],
    });
    expect(await executionsNamed(order.orderId)).toHaveLength(1);
  });

  it('acknowledges the same order after its idempotency record expired without a second execution', async () => {
    // Arrange
    const order = orderPlaced(uniqueName('late'));
    const { handler } = makeHandler();
    await handler(sqsEvent(orderRecord(order)), lambdaContext());
    await expireIdempotencyRecords(dynamodb, resources.idempotencyTable, 'delete');

    // Act
    const response = await handler(sqsEvent(orderRecord(order)), lambdaContext());

    // Assert
    expect(response.batchItemFailures).toEqual([]);
    expect(await executionsNamed(order.orderId)).toHaveLength(1);
    expect(await drainQueue(sqs, resources.deadLetterQueue.url, 0, { quietMs: 1_500 })).toEqual([]);
  });

  it.each([
    ['while its idempotency record lives', undefined],
    ['after its idempotency record expired', 'expire'],
    ['after its idempotency record was swept by TTL', 'delete'],
  ] as const)(
    'sends the same order id with other content to the DLQ with a reason %s',
    async (_when, expiry) => {
      // Arrange
      const original = orderPlaced(uniqueName('clash'));
      const conflicting = orderPlaced(original.orderId, { customerId: 'somebody-else' });
      const { handler } = makeHandler();
      await handler(sqsEvent(orderRecord(original)), lambdaContext());
      if (expiry) await expireIdempotencyRecords(dynamodb, resources.idempotencyTable, expiry);
      const clash = orderRecord(conflicting, { correlationId: 'bucket/incoming/later.jsonl#2' });

      // Act
      const response = await handler(sqsEvent(clash), lambdaContext());

      // Assert
      expect(response.batchItemFailures).toEqual([]);
      const [dead, ...more] = await drainQueue(sqs, resources.deadLetterQueue.url, 1);
      expect(more).toEqual([]);
      expect(dead?.Body).toBe(clash.body);
      expect(dead?.Attributes?.MessageGroupId).toBe(original.orderId);
      const attributes = Object.fromEntries(
        Object.entries(dead?.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue]),
      );
      expect(attributes).toMatchObject({
        errorType: 'ConflictingDuplicate',
        errorReason: `order ${original.orderId} was already received with different content`,
        failedAt: failedAt.toISOString(),
        correlationId: 'bucket/incoming/later.jsonl#2',
        sourceMessageId: clash.messageId,
        eventType: 'OrderPlaced',
        schemaVersion: '1',
      });
      expect((await orderItem(original.orderId))?.contentHash).toBe(contentHash(orderBody(original)));
      expect(await executionsNamed(original.orderId)).toHaveLength(1);
    },
  );

  it('sends an invalid order to the DLQ with every reason and acknowledges it', async () => {
    // Arrange
    const { handler } = makeHandler();
    const body = JSON.stringify({ ...orderPlaced(uniqueName('bad')), currency: 'euro', totalCents: 1 });
    const invalid = sqsRecord({ body, groupId: uniqueName('bad-group') });

    // Act
    const response = await handler(sqsEvent(invalid), lambdaContext());

    // Assert
    expect(response.batchItemFailures).toEqual([]);
    const [dead] = await drainQueue(sqs, resources.deadLetterQueue.url, 1);
    expect(dead?.MessageAttributes?.errorType?.StringValue).toBe('InvalidOrder');
    expect(dead?.MessageAttributes?.errorReason?.StringValue).toMatch(/currency: .*totalCents: /);
  });

  it('reports throttled DynamoDB writes as a batch item failure, then succeeds on redelivery', async () => {
    // Arrange
    const id = uniqueName('throttled');
    const { handler, documentClient } = makeHandler();
    const injected = injectPutThrottling(documentClient, [id], 1);
    const throttled = orderRecord(orderPlaced(id));
    const other = orderRecord(orderPlaced(`${id}-other`));

    // Act
    const first = await handler(sqsEvent(throttled, other), lambdaContext());
    const redelivered = await handler(
      sqsEvent({ ...throttled, attributes: { ...throttled.attributes, ApproximateReceiveCount: '2' } }),
      lambdaContext(),
    );

    // Assert
    expect(injected()).toBe(1);
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: throttled.messageId }]);
    expect(redelivered.batchItemFailures).toEqual([]);
    expect((await orderItem(id))?.status).toBe('RECEIVED');
    expect(await executionsNamed(id)).toHaveLength(1);
  });

  it('starts the saga on redelivery when the start failed after the order was written', async () => {
    // Arrange
    const order = orderPlaced(uniqueName('unstarted'));
    const flakySfn = new SFNClient({ endpoint: stepFunctions.endpoint });
    let refused = 0;
    flakySfn.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { name?: string };
        if (
          context.commandName === 'StartExecutionCommand' &&
          input.name === order.orderId &&
          refused === 0
        ) {
          refused += 1;
          throw Object.assign(new Error('injected: service unavailable'), { name: 'ServiceUnavailable' });
        }
        return next(args);
      },
      { step: 'initialize', name: 'refuseFirstStart' },
    );
    const { handler } = makeHandler(flakySfn);
    const record = orderRecord(order);
    const other = orderRecord(orderPlaced(`${order.orderId}-other`));

    // Act
    const first = await handler(sqsEvent(record, other), lambdaContext());
    const redelivered = await handler(sqsEvent(record), lambdaContext());

    // Assert
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(redelivered.batchItemFailures).toEqual([]);
    expect((await orderItem(order.orderId))?.status).toBe('RECEIVED');
    expect(await executionsNamed(order.orderId)).toHaveLength(1);
    flakySfn.destroy();
  });
});
