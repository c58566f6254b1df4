import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoOrderRepository } from '#shared/adapters/dynamo-order-repository';
import { makeDocumentClient, makeDynamoDbClient } from '#shared/aws/clients';
import { lostAnswerSafePersistenceLayer } from '#shared/aws/idempotency-store';
import { recordOutcome } from '#shared/domain/steps/record-outcome';
import { ApiCallCounter } from '../../local/api-calls';
import type { FaultInjector } from '../../local/chaos/faults';
import { type Gateway, startGateway } from '../../local/gateway';
import { createIdempotencyTable } from '../helpers/aws-resources';
import { lambdaContext } from '../helpers/lambda-context';
import { uniqueName } from '../helpers/names';
import { fixedClock } from '../helpers/saga-fakes';
import { putNewOrder, readOrder } from '../helpers/saga-items';
import { type SagaTables, setUpSagaTables } from '../helpers/saga-tables';

/**
 * A conditional write whose answer is lost after it landed: the SDK sends it again, the condition
 * now fails, and the writer must still know the write was its own. The loss happens at a gateway in
 * front of DynamoDB Local, as the chaos runs inject it.
 */
const direct = makeDynamoDbClient();
const documentClient = makeDocumentClient(direct);
let tables: SagaTables;
let gateway: Gateway;
/** Operations whose next answer is lost once. */
const loseNext = new Set<string>();

const faults: FaultInjector = {
  decide: ({ operation }) => {
    if (!loseNext.delete(operation)) return undefined;
    return { kind: 'response-lost' };
  },
};

beforeAll(async () => {
  tables = await setUpSagaTables(direct);
  gateway = await startGateway(
    { dynamodb: process.env.AWS_ENDPOINT_URL_DYNAMODB ?? '' },
    new ApiCallCounter(),
    { faults },
  );
});

afterAll(async () => {
  await gateway.stop();
});

describe('a status written, its answer lost', () => {
  it('is recognised by the same execution on the retry, so the order is counted as needing attention once, not never', async () => {
    // Arrange
    const input = await putNewOrder(documentClient, tables);
    const throughGateway = makeDocumentClient(
      // The environment's credentials: DynamoDB Local keeps a database per access key.
      new DynamoDBClient({ endpoint: gateway.endpoint }),
    );
    const orders = new DynamoOrderRepository(throughGateway, tables.orders);
    loseNext.add('UpdateItem');

    // Act
    const outcome = await recordOutcome(
      {
        status: 'NEEDS_ATTENTION',
        state: { ...input, error: { Error: 'ShippingError' }, refundError: { Error: 'PaymentGatewayError' } },
        execution: 'arn:aws:states:us-east-1:0:execution:saga:x',
      },
      { orders, clock: fixedClock() },
    );

    // Assert: the first attempt landed; its retry found the order already NEEDS_ATTENTION, by itself
    expect(loseNext.size).toBe(0);
    expect(outcome).toMatchObject({ status: 'NEEDS_ATTENTION', changed: true });
    const stored = await readOrder(documentClient, tables, input.order.orderId);
    expect(stored?.history.filter((entry) => entry.status === 'NEEDS_ATTENTION')).toHaveLength(1);
  });

  it('is not claimed by another writer that finds the status already there', async () => {
    // Arrange
    const input = await putNewOrder(documentClient, tables);
    const orders = new DynamoOrderRepository(documentClient, tables.orders);
    await orders.transition(
      input.order.orderId,
      'NEEDS_ATTENTION',
      't1',
      'first',
      'execution-a#NEEDS_ATTENTION',
    );

    // Act
    const second = await orders.transition(
      input.order.orderId,
      'NEEDS_ATTENTION',
      't2',
      'second',
      'execution-b#ended',
    );

    // Assert
    expect(second).toEqual({ changed: false, status: 'NEEDS_ATTENTION' });
  });
});

describe('an idempotency marker written, its answer lost', () => {
  let table: string;
  beforeAll(async () => {
    table = await createIdempotencyTable(direct);
  });

  type Layer = (client: DynamoDBClient) => BasePersistenceLayer;
  const safe: Layer = (client) => lostAnswerSafePersistenceLayer({ tableName: table, client });
  const powertools: Layer = (client) =>
    new DynamoDBPersistenceLayer({ tableName: table, awsSdkV3Client: client });
  // One deadline for every invocation below: duplicate deliveries often share it to the millisecond.
  const context = lambdaContext(30_000);

  /** An idempotent function through the gateway, keyed by orderId, as process-order builds one. */
  const idempotentThrough = (layer: Layer, work: (event: { orderId: string }) => Promise<string>) => {
    const config = new IdempotencyConfig({ eventKeyJmesPath: 'orderId' });
    config.registerLambdaContext(context);
    return makeIdempotent(work, {
      persistenceStore: layer(new DynamoDBClient({ endpoint: gateway.endpoint })),
      config,
    });
  };

  it('is known as its own by the retried put, so the work runs in the same invocation, once', async () => {
    // Arrange
    const runs: string[] = [];
    const once = idempotentThrough(safe, async ({ orderId }) => {
      runs.push(orderId);
      return `placed ${orderId}`;
    });
    const orderId = uniqueName('order');
    loseNext.add('PutItem');

    // Act
    const result = await once({ orderId });

    // Assert: the marker's answer was lost, the work still ran, and a repeat replays it
    expect(loseNext.size).toBe(0);
    expect({ result, runs }).toEqual({ result: `placed ${orderId}`, runs: [orderId] });
    expect(await once({ orderId })).toBe(`placed ${orderId}`);
    expect(runs).toEqual([orderId]);
  });

  it("locks Powertools' own layer out of its own marker (why the layer above exists)", async () => {
    // Arrange
    const runs: string[] = [];
    const once = idempotentThrough(powertools, async ({ orderId }) => {
      runs.push(orderId);
      return `placed ${orderId}`;
    });
    loseNext.add('PutItem');

    // Act / Assert
    await expect(once({ orderId: uniqueName('order') })).rejects.toBeInstanceOf(
      IdempotencyAlreadyInProgressError,
    );
    expect(runs).toEqual([]);
  });

  it('still keeps out another invocation with the same deadline, its answer lost too', async () => {
    // Arrange: the first invocation holds the marker while its work waits
    const release = Promise.withResolvers<void>();
    const started = Promise.withResolvers<void>();
    const first = idempotentThrough(safe, async ({ orderId }) => {
      started.resolve();
      await release.promise;
      return `placed ${orderId}`;
    });
    const second = idempotentThrough(safe, async ({ orderId }) => `placed again ${orderId}`);
    const orderId = uniqueName('order');
    const holding = first({ orderId });
    await started.promise;
    loseNext.add('PutItem');

    // Act / Assert: the second's retried put meets the first's marker, which holds another token
    await expect(second({ orderId })).rejects.toBeInstanceOf(IdempotencyAlreadyInProgressError);
    loseNext.clear();
    release.resolve();
    await expect(holding).resolves.toBe(`placed ${orderId}`);
  });

  it.each([
    ['a raw PutItem', 'raw'],
    ['the document client, as the checkpoints are written', 'document'],
  ] as const)('leaves other conditional puts to the table as they are: %s', async (_how, how) => {
    // Arrange: a client the layer was built on, and an item that is not an in-progress marker
    const client = new DynamoDBClient({ endpoint: gateway.endpoint });
    safe(client);
    const id = uniqueName('checkpoint');
    const put = () =>
      how === 'raw'
        ? client.send(
            new PutItemCommand({
              TableName: table,
              Item: { id: { S: id }, seq: { N: '1' } },
              ConditionExpression: 'attribute_not_exists(id)',
            }),
          )
        : makeDocumentClient(client).send(
            new PutCommand({
              TableName: table,
              Item: { id, seq: 1 },
              ConditionExpression: 'attribute_not_exists(id)',
            }),
          );
    loseNext.add('PutItem');

    // Act / Assert: as without the layer, the retry fails on the first attempt's item, which has no token
    await expect(put()).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    const stored = await direct.send(new GetItemCommand({ TableName: table, Key: { id: { S: id } } }));
    expect(stored.Item).toEqual({ id: { S: id }, seq: { N: '1' } });
  });
});
