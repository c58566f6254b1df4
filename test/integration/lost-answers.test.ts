import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoOrderRepository } from '#shared/adapters/dynamo-order-repository';
import { makeDocumentClient, makeDynamoDbClient } from '#shared/aws/clients';
import { RetrySafeDynamoDBPersistenceLayer } from '#shared/aws/idempotency-store';
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

describe('an idempotency lock taken, its answer lost', () => {
  let table: string;
  beforeAll(async () => {
    table = await createIdempotencyTable(direct);
  });

  /** An idempotent function on `layer` through the gateway, as process-order builds it. */
  const idempotentThrough = (
    Layer: typeof DynamoDBPersistenceLayer,
    work: (event: { orderId: string }) => Promise<string>,
  ) => {
    const config = new IdempotencyConfig({ eventKeyJmesPath: 'orderId' });
    config.registerLambdaContext(lambdaContext(30_000));
    return makeIdempotent(work, {
      persistenceStore: new Layer({
        tableName: table,
        awsSdkV3Client: new DynamoDBClient({ endpoint: gateway.endpoint }),
      }),
      config,
    });
  };

  it('is recognised as its own by the retried put, so the work runs in the same invocation', async () => {
    // Arrange
    const runs: string[] = [];
    const once = idempotentThrough(RetrySafeDynamoDBPersistenceLayer, async ({ orderId }) => {
      runs.push(orderId);
      return `placed ${orderId}`;
    });
    const orderId = uniqueName('order');
    loseNext.add('PutItem');

    // Act
    const result = await once({ orderId });

    // Assert: the lock's answer was lost, and the work still ran, once
    expect(loseNext.size).toBe(0);
    expect({ result, runs }).toEqual({ result: `placed ${orderId}`, runs: [orderId] });
    expect(await once({ orderId })).toBe(`placed ${orderId}`);
    expect(runs).toHaveLength(1);
  });

  it("locks Powertools' own layer out until the invocation's deadline (why the layer above exists)", async () => {
    // Arrange
    const runs: string[] = [];
    const once = idempotentThrough(DynamoDBPersistenceLayer, async ({ orderId }) => {
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

  it('still keeps out another invocation holding the lock', async () => {
    // Arrange: the first invocation holds the lock while its work waits
    const release = Promise.withResolvers<void>();
    const started = Promise.withResolvers<void>();
    const once = idempotentThrough(RetrySafeDynamoDBPersistenceLayer, async ({ orderId }) => {
      started.resolve();
      await release.promise;
      return `placed ${orderId}`;
    });
    const other = idempotentThrough(
      RetrySafeDynamoDBPersistenceLayer,
      async ({ orderId }) => `again ${orderId}`,
    );
    const orderId = uniqueName('order');
    const first = once({ orderId });
    await started.promise;

    // Act / Assert
    await expect(other({ orderId })).rejects.toBeInstanceOf(IdempotencyAlreadyInProgressError);
    release.resolve();
    await expect(first).resolves.toBe(`placed ${orderId}`);
  });
});
