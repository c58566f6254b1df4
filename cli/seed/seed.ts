import { readFile } from 'node:fs/promises';
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parse } from 'csv-parse';
import { UsageError } from '../shared/errors';

export interface StockLine {
  readonly sku: string;
  readonly available: number;
}

const parseCsv = (text: string): Promise<Record<string, string>[]> =>
  new Promise((resolve, reject) => {
    parse(
      text,
      { columns: true, skip_empty_lines: true, trim: true },
      (error, rows: Record<string, string>[]) => (error ? reject(error) : resolve(rows)),
    );
  });

/** `sku,available` rows; a missing sku or a negative or fractional count is refused with its line. */
export const readStockCsv = async (file: string): Promise<StockLine[]> => {
  let rows: Record<string, string>[];
  try {
    rows = await parseCsv(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code?.startsWith('CSV_')) {
      throw new UsageError(`${file}: not a sku,available CSV (${(error as Error).message})`);
    }
    throw error;
  }
  if (rows.length > 0 && !('sku' in (rows[0] ?? {}) && 'available' in (rows[0] ?? {}))) {
    throw new UsageError(`${file}: expected a header line "sku,available"`);
  }
  return rows.map((row, index) => {
    const available = Number(row.available);
    if (!row.sku || !Number.isInteger(available) || available < 0) {
      throw new UsageError(
        `${file} line ${index + 2}: expected sku and a whole available count ≥ 0, got ${JSON.stringify(row)}`,
      );
    }
    return { sku: row.sku, available };
  });
};

const BATCH_WRITE_LIMIT = 25;
/** Unprocessed items are retried with backoff this many times in all, then the seed stops and says so. */
const MAX_ATTEMPTS = 8;

/**
 * Puts every line into the inventory table (overwriting), retrying what DynamoDB leaves unprocessed.
 * `seeded` keeps the quantity put, so `orderflow verify` can check that stock is conserved: what was
 * seeded is what is available plus what completed orders and orders needing attention hold.
 */
export const seedInventory = async (
  dynamodb: DynamoDBDocumentClient,
  table: string,
  lines: readonly StockLine[],
  now: Date = new Date(),
): Promise<number> => {
  for (let start = 0; start < lines.length; start += BATCH_WRITE_LIMIT) {
    let requests = lines.slice(start, start + BATCH_WRITE_LIMIT).map((line) => ({
      PutRequest: {
        Item: {
          sku: line.sku,
          available: line.available,
          seeded: line.available,
          updatedAt: now.toISOString(),
        },
      },
    }));
    for (let attempt = 0; requests.length > 0; attempt += 1) {
      if (attempt >= MAX_ATTEMPTS) {
        throw new Error(
          `DynamoDB left ${requests.length} item(s) unprocessed after ${MAX_ATTEMPTS} attempts (throttled); seeding again is safe`,
        );
      }
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** Math.min(attempt, 6)));
      const result = await dynamodb.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
      requests = (result.UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  }
  return lines.length;
};

/** The skus of `lines` that already have stock in the table, with what is available now. */
export const existingStock = async (
  dynamodb: DynamoDBDocumentClient,
  table: string,
  lines: readonly StockLine[],
): Promise<Map<string, number>> => {
  const found = new Map<string, number>();
  for (let start = 0; start < lines.length; start += 100) {
    let keys = lines.slice(start, start + 100).map((line) => ({ sku: line.sku }));
    for (let attempt = 0; keys.length > 0 && attempt < MAX_ATTEMPTS; attempt += 1) {
      const result = await dynamodb.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const item of result.Responses?.[table] ?? []) found.set(String(item.sku), Number(item.available));
      keys = (result.UnprocessedKeys?.[table]?.Keys ?? []) as typeof keys;
    }
  }
  return found;
};
