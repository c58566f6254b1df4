import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoInventory } from '#shared/adapters/dynamo-inventory';
import { makeDocumentClient, makeDynamoDbClient } from '#shared/aws/clients';
import { ApiCallCounter } from '../../local/api-calls';
import type { FaultInjector } from '../../local/chaos/faults';
import { type Gateway, startGateway } from '../../local/gateway';
import { readStock, seedStock, uniqueSkuPrefix } from '../helpers/saga-items';
import { type SagaTables, setUpSagaTables } from '../helpers/saga-tables';

/**
 * Many orders for one sku at once: on AWS, transactions on the same item cancel each other with
 * TransactionConflict; DynamoDB Local serialises them instead. A gateway in front of it answers
 * the chosen TransactWriteItems as DynamoDB does when the item is held (the flash-sale bench injects
 * the same fault).
 */
const direct = makeDynamoDbClient();
const documentClient = makeDocumentClient(direct);
let tables: SagaTables;
let gateway: Gateway;
let conflictsLeft = 0;
let injected = 0;

const faults: FaultInjector = {
  decide: ({ operation }) => {
    if (operation !== 'TransactWriteItems' || conflictsLeft === 0) return undefined;
    conflictsLeft -= 1;
    injected += 1;
    return { kind: 'transaction-conflict' };
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

const inventoryThroughGateway = () =>
  new DynamoInventory(
    // The environment's credentials: DynamoDB Local keeps a database per access key.
    makeDocumentClient(new DynamoDBClient({ endpoint: gateway.endpoint })),
    { inventoryTable: tables.inventory, reservationsTable: tables.reservations },
    { attempts: 8, baseMs: 5, capMs: 50 },
  );

describe('a reservation on a hot sku whose transactions conflict', () => {
  it('goes through once the item is free, taking the stock exactly once', async () => {
    // Arrange
    const sku = `${uniqueSkuPrefix()}-HOT`;
    await seedStock(documentClient, tables, { [sku]: 5 });
    conflictsLeft = 3;
    injected = 0;

    // Act
    const { created } = await inventoryThroughGateway().reserve(
      'conflict-o1',
      [{ sku, quantity: 2 }],
      '2026-11-30T00:00:00.000Z',
    );

    // Assert
    expect(injected).toBe(3);
    expect(created).toBe(true);
    expect(await readStock(documentClient, tables, [sku])).toEqual({ [sku]: 3 });
  });

  it('gives the stock back through conflicts too, exactly once', async () => {
    // Arrange
    const sku = `${uniqueSkuPrefix()}-HOT`;
    await seedStock(documentClient, tables, { [sku]: 5 });
    const inventory = inventoryThroughGateway();
    await inventory.reserve('conflict-o2', [{ sku, quantity: 2 }], '2026-11-30T00:00:00.000Z');
    conflictsLeft = 2;
    injected = 0;

    // Act
    const released = await inventory.release('conflict-o2', '2026-11-30T00:01:00.000Z');

    // Assert
    expect(injected).toBe(2);
    expect(released.outcome).toBe('RELEASED');
    expect(await readStock(documentClient, tables, [sku])).toEqual({ [sku]: 5 });
  });
});
