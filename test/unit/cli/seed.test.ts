import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { runSeed, seedInventory } from '../../../cli/seed/seed';
import type { CliClients } from '../../../cli/shared/clients';
import { CliFailure, EXIT } from '../../../cli/shared/errors';
import type { PipelineNames } from '../../../cli/shared/names';

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

describe('orderflow seed', () => {
  const csv = (text: string) => {
    const file = join(mkdtempSync(join(tmpdir(), 'seed-')), 'stock.csv');
    writeFileSync(file, text);
    return file;
  };
  const target = {
    clients: { dynamodb } as unknown as CliClients,
    names: {
      inventoryTable: 'inventory',
      reservationsTable: 'reservations',
      ordersTable: 'orders',
    } as PipelineNames,
  };
  /** o-done COMPLETED holds 10 A for good; o-open, in flight, holds 3 A; o-attn NEEDS_ATTENTION holds 1 A; o-gone was CANCELLED. */
  const held = () => {
    documentMock.on(ScanCommand).resolves({
      Items: [
        { orderId: 'o-done', lines: [{ sku: 'A', quantity: 10 }] },
        { orderId: 'o-open', lines: [{ sku: 'A', quantity: 3 }] },
        { orderId: 'o-attn', lines: [{ sku: 'A', quantity: 1 }] },
        { orderId: 'o-gone', lines: [{ sku: 'A', quantity: 7 }] },
        { orderId: 'o-other', lines: [{ sku: 'Z', quantity: 2 }] },
      ],
    });
    documentMock.on(BatchGetCommand).resolves({
      Responses: {
        orders: [
          { orderId: 'o-done', status: 'COMPLETED' },
          { orderId: 'o-open', status: 'CHARGED' },
          { orderId: 'o-attn', status: 'NEEDS_ATTENTION' },
          { orderId: 'o-gone', status: 'CANCELLED' },
        ],
      },
    });
    documentMock.on(BatchWriteCommand).resolves({ UnprocessedItems: {} });
  };
  const seed = async (text: string, options: { force?: boolean; dryRun?: boolean } = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runSeed(
      target,
      csv(text),
      {
        dryRun: options.dryRun ?? false,
        force: options.force ?? false,
        deployed: true,
        timing: { backoffMs: 0 },
      },
      { write: (text) => out.push(text) },
      { write: (text) => err.push(text) },
    );
    const written = documentMock
      .commandCalls(BatchWriteCommand)
      .flatMap((call) => call.args[0].input.RequestItems?.inventory ?? [])
      .map((request) => request.PutRequest?.Item);
    return { code, out, err, written };
  };

  it('takes a count as units on hand: subtracts what open orders hold, and counts completed sales only in seeded', async () => {
    // Arrange
    held();

    // Act
    const { code, written } = await seed('sku,available\nA,6\n');

    // Assert: available 6 − (3 in flight + 1 needing attention); seeded = 2 + 4 + 10 completed
    expect(code).toBe(0);
    expect(written).toEqual([expect.objectContaining({ sku: 'A', available: 2, seeded: 16 })]);
    expect(
      documentMock.commandCalls(BatchGetCommand)[0]?.args[0].input.RequestItems?.orders?.Keys,
    ).toHaveLength(4);
  });

  it('refuses, exit 1 and nothing written, a count below what open orders hold; --force writes available 0', async () => {
    // Arrange
    held();

    // Act
    const refused = await seed('sku,available\nA,3\n');
    documentMock.resetHistory();
    const forced = await seed('sku,available\nA,3\n', { force: true });

    // Assert
    expect(refused).toMatchObject({ code: 1, written: [] });
    expect(refused.err.at(-1)).toBe(
      'orderflow: 1 sku(s) count fewer units on hand than orders in flight or needing attention hold (A: 3 < 4 held); nothing written: check with --dry-run, then pass --force to set their available to 0\n',
    );
    expect(forced).toMatchObject({
      code: 0,
      written: [expect.objectContaining({ available: 0, seeded: 14 })],
    });
  });

  it('writes nothing on --dry-run and says what it would do', async () => {
    // Arrange
    held();

    // Act
    const { code, out, written } = await seed('sku,available\nA,6\n', { dryRun: true });

    // Assert
    expect({ code, written }).toEqual({ code: 0, written: [] });
    expect(out[0]).toBe(
      '  A                new 2  (on hand 6; open orders hold 4, completed 10; seeded 16)\n',
    );
  });
});
