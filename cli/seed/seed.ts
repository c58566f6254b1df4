import { readFile } from 'node:fs/promises';
import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { parse } from 'csv-parse';
import { CliFailure, EXIT, UsageError } from '../shared/errors';
import type { Target } from '../shared/target';

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

/** Waits before attempt `attempt` (0-based) of a batch call: none first, then 100 ms doubling to 3.2 s. */
const backoff = (attempt: number, baseMs: number): Promise<void> =>
  attempt === 0
    ? Promise.resolve()
    : new Promise((resolve) => setTimeout(resolve, baseMs * 2 ** Math.min(attempt, 6)));

export interface SeedTiming {
  /** First backoff before a retry of unprocessed items; it doubles. @default 50 ms */
  readonly backoffMs?: number;
}

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
  timing: SeedTiming = {},
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
        throw new CliFailure(
          `DynamoDB left ${requests.length} item(s) unprocessed after ${MAX_ATTEMPTS} attempts (throttled): ${Math.min(start + BATCH_WRITE_LIMIT, lines.length) - requests.length} of ${lines.length} sku(s) were written; seeding again is safe`,
          EXIT.aws,
        );
      }
      await backoff(attempt, timing.backoffMs ?? 50);
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
  timing: SeedTiming = {},
): Promise<Map<string, number>> => {
  const found = new Map<string, number>();
  for (let start = 0; start < lines.length; start += 100) {
    let keys = lines.slice(start, start + 100).map((line) => ({ sku: line.sku }));
    for (let attempt = 0; keys.length > 0; attempt += 1) {
      if (attempt >= MAX_ATTEMPTS) {
        throw new CliFailure(
          `DynamoDB left ${keys.length} key(s) unread after ${MAX_ATTEMPTS} attempts (throttled): nothing was written; try again`,
          EXIT.aws,
        );
      }
      await backoff(attempt, timing.backoffMs ?? 50);
      const result = await dynamodb.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const item of result.Responses?.[table] ?? []) found.set(String(item.sku), Number(item.available));
      keys = (result.UnprocessedKeys?.[table]?.Keys ?? []) as typeof keys;
    }
  }
  return found;
};

/**
 * Per sku of `skus`, the units RESERVED reservations hold: stock orders in flight have taken from
 * `available` and will either keep (completed) or give back. The reservations table is keyed by
 * orderId with no index by sku, so this is a Scan (filtered to RESERVED, projecting the lines).
 */
export const heldByReservations = async (
  dynamodb: DynamoDBDocumentClient,
  table: string,
  skus: ReadonlySet<string>,
): Promise<Map<string, number>> => {
  const held = new Map<string, number>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({
        TableName: table,
        ConsistentRead: true,
        FilterExpression: '#status = :reserved',
        ProjectionExpression: '#lines',
        ExpressionAttributeNames: { '#status': 'status', '#lines': 'lines' },
        ExpressionAttributeValues: { ':reserved': 'RESERVED' },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      for (const line of (item.lines ?? []) as { sku?: unknown; quantity?: unknown }[]) {
        const sku = String(line.sku);
        if (skus.has(sku)) held.set(sku, (held.get(sku) ?? 0) + Number(line.quantity ?? 0));
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return held;
};

export interface SeedOptions {
  readonly dryRun: boolean;
  readonly force: boolean;
  /** A deployed stage (--stage, --stack or --outputs), not the local runtime. */
  readonly deployed: boolean;
  readonly timing?: SeedTiming;
}

interface Writer {
  write(text: string): unknown;
}

/**
 * `orderflow seed <csv>`. Against a deployed stage it first totals what reservations of orders in
 * flight hold per sku, and refuses (exit 2, one line) to set `available` below that unless `--force`:
 * a count lower than what orders already hold means the shelf cannot serve them. `--dry-run` shows
 * old → new and what is held, and writes nothing.
 */
export const runSeed = async (
  { clients, names }: Target,
  file: string,
  options: SeedOptions,
  out: Writer,
  err: Writer,
): Promise<number> => {
  const lines = await readStockCsv(file);
  const existing = options.dryRun
    ? await existingStock(clients.dynamodb, names.inventoryTable, lines, options.timing)
    : new Map<string, number>();
  if (options.deployed) {
    err.write(
      `Reading ${names.reservationsTable} (a Scan: it has no index by sku) to total what orders in flight hold\n`,
    );
  }
  const held =
    options.deployed || options.dryRun
      ? await heldByReservations(
          clients.dynamodb,
          names.reservationsTable,
          new Set(lines.map((line) => line.sku)),
        )
      : new Map<string, number>();
  const short = options.deployed ? lines.filter((line) => line.available < (held.get(line.sku) ?? 0)) : [];
  const shortText = short
    .slice(0, 3)
    .map((line) => `${line.sku}: ${line.available} < ${held.get(line.sku)} held`)
    .join(', ');
  if (options.dryRun) {
    for (const line of lines) {
      const now = existing.get(line.sku);
      const holds = held.get(line.sku);
      out.write(
        `  ${line.sku.padEnd(16)} ${now === undefined ? 'new' : `${now} →`} ${line.available}${holds ? `  (reservations hold ${holds})` : ''}\n`,
      );
    }
    out.write(
      `Dry run: ${lines.length} sku(s) would be written to ${names.inventoryTable}; nothing written${short.length > 0 ? `; without --force it would refuse ${short.length} sku(s) below what reservations hold (${shortText})` : ''}\n`,
    );
    return EXIT.ok;
  }
  if (short.length > 0 && !options.force) {
    err.write(
      `orderflow: ${short.length} sku(s) would get less available than reservations of orders in flight hold (${shortText}${short.length > 3 ? ', …' : ''}); check with --dry-run, then pass --force to write them anyway\n`,
    );
    return EXIT.usage;
  }
  const count = await seedInventory(
    clients.dynamodb,
    names.inventoryTable,
    lines,
    new Date(),
    options.timing,
  );
  out.write(`Seeded ${count} skus into ${names.inventoryTable}\n`);
  return EXIT.ok;
};
