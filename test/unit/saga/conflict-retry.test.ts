import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { type ConflictRetry, sendRetryingConflicts } from '#shared/adapters/conflict-retry';
import { DynamoInventory } from '#shared/adapters/dynamo-inventory';

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: `Transaction cancelled [${codes.join(', ')}]`,
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

/** No real waiting; the waits asked for are kept to check the backoff. */
const instantRetry = (attempts = 8) => {
  const waits: number[] = [];
  const retry: ConflictRetry = {
    attempts,
    baseMs: 25,
    capMs: 1_000,
    random: () => 1,
    sleep: async (ms) => {
      waits.push(ms);
    },
  };
  return { retry, waits };
};

const setUp = (attempts?: number) => {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const mock = mockClient(client);
  const { retry, waits } = instantRetry(attempts);
  const inventory = new DynamoInventory(
    client,
    { inventoryTable: 'inventory', reservationsTable: 'reservations' },
    retry,
  );
  return { mock, inventory, waits };
};

const LINES = [{ sku: 'FLASH-1', quantity: 1 }];

describe('DynamoInventory under transaction conflicts (many orders for one sku at once)', () => {
  it('sends a reservation cancelled by conflicts again until it goes through, with growing waits', async () => {
    // Arrange: the sku item is held by other transactions twice, then free.
    const { mock, inventory, waits } = setUp();
    mock
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('None', 'TransactionConflict'))
      .rejectsOnce(cancelled('None', 'TransactionConflict'))
      .resolves({});

    // Act
    const result = await inventory.reserve('o1', LINES, '2026-11-30T00:00:00.000Z');

    // Assert
    expect(result.created).toBe(true);
    expect(mock.commandCalls(TransactWriteCommand)).toHaveLength(3);
    expect(waits).toEqual([25, 50]);
  });

  it('reports OutOfStock at once when the stock is gone: a condition is not retried', async () => {
    // Arrange
    const { mock, inventory } = setUp();
    const soldOut = cancelled('None', 'ConditionalCheckFailed');
    const reason = soldOut.CancellationReasons?.[1];
    if (reason) reason.Item = { sku: { S: 'FLASH-1' }, available: { N: '0' } };
    mock.on(TransactWriteCommand).rejects(soldOut);

    // Act / Assert
    await expect(inventory.reserve('o1', LINES, '2026-11-30T00:00:00.000Z')).rejects.toMatchObject({
      name: 'OutOfStock',
    });
    expect(mock.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('hands the state machine TransientStoreError once its own attempts are spent, never a rejection', async () => {
    // Arrange
    const { mock, inventory, waits } = setUp(3);
    mock.on(TransactWriteCommand).rejects(cancelled('None', 'TransactionConflict'));

    // Act / Assert
    await expect(inventory.reserve('o1', LINES, '2026-11-30T00:00:00.000Z')).rejects.toMatchObject({
      name: 'TransientStoreError',
    });
    expect(mock.commandCalls(TransactWriteCommand)).toHaveLength(3);
    expect(waits).toHaveLength(2);
  });

  it('gives stock back through conflicts too', async () => {
    // Arrange
    const { mock, inventory } = setUp();
    mock.on(GetCommand).resolves({
      Item: { orderId: 'o1', lines: LINES, status: 'RESERVED', reservedAt: '2026-11-30T00:00:00.000Z' },
    });
    mock.on(TransactWriteCommand).rejectsOnce(cancelled('None', 'TransactionConflict')).resolves({});

    // Act
    const result = await inventory.release('o1', '2026-11-30T00:01:00.000Z');

    // Assert
    expect(result.outcome).toBe('RELEASED');
    expect(mock.commandCalls(TransactWriteCommand)).toHaveLength(2);
  });
});

describe('sendRetryingConflicts', () => {
  it('caps each wait', async () => {
    // Arrange
    const { retry, waits } = instantRetry(8);
    let calls = 0;

    // Act
    await expect(
      sendRetryingConflicts(async () => {
        calls += 1;
        throw cancelled('TransactionConflict');
      }, retry),
    ).rejects.toThrow('Transaction cancelled');

    // Assert
    expect(calls).toBe(8);
    expect(waits).toEqual([25, 50, 100, 200, 400, 800, 1000]);
  });
});
