import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { seedInventory } from '../../../cli/seed/seed';
import { CliFailure, EXIT } from '../../../cli/shared/errors';

const documentMock = mockClient(DynamoDBDocumentClient);
const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const lines = [
  { sku: 'A', available: 1 },
  { sku: 'B', available: 2 },
];
const unprocessed = (sku: string) => ({
  UnprocessedItems: { inventory: [{ PutRequest: { Item: { sku, available: 2, seeded: 2 } } }] },
});

beforeEach(() => documentMock.reset());

describe('seedInventory', () => {
  it('retries only the items DynamoDB left unprocessed until all are written', async () => {
    // Arrange
    documentMock.on(BatchWriteCommand).resolvesOnce(unprocessed('B')).resolves({ UnprocessedItems: {} });

    // Act
    const count = await seedInventory(dynamodb, 'inventory', lines, new Date(0), { backoffMs: 0 });

    // Assert
    expect(count).toBe(2);
    const calls = documentMock.commandCalls(BatchWriteCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => input.RequestItems?.inventory?.length)).toEqual([2, 1]);
    expect(calls[1]?.RequestItems?.inventory?.[0]?.PutRequest?.Item?.sku).toBe('B');
  });

  it('stops after 8 attempts with one line saying what was written and that seeding again is safe', async () => {
    // Arrange: throttled for good
    documentMock.on(BatchWriteCommand).resolves(unprocessed('B'));

    // Act
    const failure = await seedInventory(dynamodb, 'inventory', lines, new Date(0), { backoffMs: 0 }).catch(
      (error: unknown) => error,
    );

    // Assert
    expect(documentMock.commandCalls(BatchWriteCommand)).toHaveLength(8);
    expect(failure).toBeInstanceOf(CliFailure);
    expect(failure).toMatchObject({
      exitCode: EXIT.aws,
      message:
        'DynamoDB left 1 item(s) unprocessed after 8 attempts (throttled): 1 of 2 sku(s) were written; seeding again is safe',
    });
  });
});
