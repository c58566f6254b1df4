import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { makeDocumentClient, makeDynamoDbClient, makeSqsClient } from '#shared/aws/clients';
import type { OrderPlacedInput } from '#shared/schemas/order-placed';
import { makeProcessOrderHandler } from '../../functions/process-order/sqs-handler';
import { type LocalStepFunctions, startLocalStepFunctions } from '../../local/sfn';
import { createFifoQueue, drainQueue } from '../helpers/aws-resources';
import { lambdaContext } from '../helpers/lambda-context';
import { uniqueName } from '../helpers/names';
import { pollOnce } from '../helpers/sqs-event-source';
import { orderBody, orderPlaced } from '../helpers/sqs-events';
import { createProcessOrderResources, injectPutThrottling } from '../helpers/sqs-process-order-env';

const MAX_RECEIVE_COUNT = 2;

describe('process-order with the queue’s redrive policy', () => {
  let dynamodb: DynamoDBClient;
  let sqs: SQSClient;
  let sfn: SFNClient | undefined;
  let stepFunctions: LocalStepFunctions | undefined;

  beforeAll(() => {
    dynamodb = makeDynamoDbClient();
    sqs = makeSqsClient();
  });

  afterAll(async () => {
    await stepFunctions?.stop();
    for (const client of [dynamodb, sqs, sfn]) client?.destroy();
  });

  it('moves a message that always fails to the DLQ after maxReceiveCount and then serves its group', async () => {
    // Arrange
    const resources = await createProcessOrderResources(dynamodb, sqs);
    const source = await createFifoQueue(sqs, 'orders', {
      VisibilityTimeout: '1',
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: resources.deadLetterQueue.arn,
        maxReceiveCount: MAX_RECEIVE_COUNT,
      }),
    });
    const sagaName = uniqueName('process-order-saga');
    const definition = readFileSync(join(__dirname, '../fixtures/process-order-saga.asl.json'), 'utf8');
    stepFunctions = await startLocalStepFunctions({
      stateMachines: [{ name: sagaName, definition, lambdaHandlers: {} }],
    });
    sfn = new SFNClient({ endpoint: stepFunctions.endpoint });
    const documentClient = makeDocumentClient(makeDynamoDbClient());
    const group = uniqueName('group');
    const poison = orderPlaced(uniqueName('poison'));
    const later = orderPlaced(uniqueName('later'));
    const failures = injectPutThrottling(documentClient, [poison.orderId]);
    const handler = makeProcessOrderHandler({
      documentClient,
      idempotencyClient: makeDynamoDbClient(),
      sfn,
      deadLetterClient: () => sqs,
      config: {
        ordersTable: resources.ordersTable,
        stateMachineArn: stepFunctions.stateMachineArn(sagaName),
      },
      idempotencyTable: resources.idempotencyTable,
      idempotencyExpiresAfterSeconds: 3_600,
      deadLetterQueueUrl: resources.deadLetterQueue.url,
      clock: () => new Date(),
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'test', serviceName: 'process-order' }),
    });
    const send = (order: OrderPlacedInput) =>
      sqs.send(
        new SendMessageCommand({
          QueueUrl: source.url,
          MessageBody: orderBody(order),
          MessageGroupId: group,
          MessageDeduplicationId: order.orderId,
          MessageAttributes: { correlationId: { DataType: 'String', StringValue: `test#${order.orderId}` } },
        }),
      );
    await send(poison);
    await send(later);
    const reader = makeDocumentClient(dynamodb);
    const laterItem = async () =>
      (
        await reader.send(
          new GetCommand({
            TableName: resources.ordersTable,
            Key: { orderId: later.orderId },
            ConsistentRead: true,
          }),
        )
      ).Item;

    // Act: play the event source mapping, batch size 1, until the later message of the group is through.
    // With a larger batch SQS hands out both messages of the group together, as AWS does, and each receive
    // counts for the later message too: at maxReceiveCount 2 it would follow the poison into the DLQ.
    const deadline = Date.now() + 60_000;
    while ((await laterItem()) === undefined && Date.now() < deadline) {
      await pollOnce(sqs, source, handler, lambdaContext(), 1);
    }

    // Assert
    expect((await laterItem())?.status).toBe('RECEIVED');
    expect(failures()).toBe(MAX_RECEIVE_COUNT);
    const [dead, ...more] = await drainQueue(sqs, resources.deadLetterQueue.url, 1);
    expect(more).toEqual([]);
    expect(dead?.Body).toBe(orderBody(poison));
    expect(dead?.MessageAttributes?.correlationId?.StringValue).toBe(`test#${poison.orderId}`);
  });
});
