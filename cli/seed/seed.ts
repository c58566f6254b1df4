import { readFile } from 'node:fs/promises';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parse } from 'csv-parse';

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
  const rows = await parseCsv(await readFile(file, 'utf8'));
  return rows.map((row, index) => {
    const available = Number(row.available);
    if (!row.sku || !Number.isInteger(available) || available < 0) {
      throw new Error(
        `${file} line ${index + 2}: expected sku and a whole available count ≥ 0, got ${JSON.stringify(row)}`,
      );
    }
    return { sku: row.sku, available };
  });
};

const BATCH_WRITE_LIMIT = 25;

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
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** Math.min(attempt, 6)));
      const result = await dynamodb.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
      requests = (result.UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  }
  return lines.length;
};
