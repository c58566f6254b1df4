import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoOrderRepository } from '#shared/adapters/dynamo-order-repository';
import { makeDocumentClient, makeDynamoDbClient } from '#shared/aws/clients';
import { recordOutcome } from '#shared/domain/steps/record-outcome';
import { ApiCallCounter } from '../../local/api-calls';
import type { FaultInjector } from '../../local/chaos/faults';
import { type Gateway, startGateway } from '../../local/gateway';
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
