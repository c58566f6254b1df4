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

/** A line as written: `seeded` defaults to `available` (a sku no order holds). */
export interface SeedLine extends StockLine {
  readonly seeded?: number;
}

/**
 * Puts every line into the inventory table (overwriting), retrying what DynamoDB leaves unprocessed.
 * `seeded` is the stock baseline `orderflow verify` checks against: once every order settled, what was
 * seeded is what is available plus what COMPLETED orders and orders needing attention hold.
 */
export const seedInventory = async (
  dynamodb: DynamoDBDocumentClient,
  table: string,
  lines: readonly SeedLine[],
  now: Date = new Date(),
  timing: SeedTiming = {},
): Promise<number> => {
  for (let start = 0; start < lines.length; start += BATCH_WRITE_LIMIT) {
    let requests = lines.slice(start, start + BATCH_WRITE_LIMIT).map((line) => ({
      PutRequest: {
        Item: {
          sku: line.sku,
          available: line.available,
          seeded: line.seeded ?? line.available,
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

/** Keys of `table` read with BatchGetItem, 100 at a time, retrying what DynamoDB leaves unprocessed. */
const batchGet = async (
  dynamodb: DynamoDBDocumentClient,
  table: string,
  keys: readonly Record<string, string>[],
  projection: { readonly expression: string; readonly names: Record<string, string> } | undefined,
  timing: SeedTiming,
): Promise<Record<string, unknown>[]> => {
  const items: Record<string, unknown>[] = [];
  for (let start = 0; start < keys.length; start += 100) {
    let batch = keys.slice(start, start + 100);
    for (let attempt = 0; batch.length > 0; attempt += 1) {
      if (attempt >= MAX_ATTEMPTS) {
        throw new CliFailure(
          `DynamoDB left ${batch.length} key(s) of ${table} unread after ${MAX_ATTEMPTS} attempts (throttled): nothing was written; try again`,
          EXIT.aws,
        );
      }
      await backoff(attempt, timing.backoffMs ?? 50);
      const result = await dynamodb.send(
        new BatchGetCommand({
          RequestItems: {
            [table]: {
              Keys: batch,
              ConsistentRead: true,
              ...(projection
                ? { ProjectionExpression: projection.expression, ExpressionAttributeNames: projection.names }
                : {}),
            },
          },
        }),
      );
      items.push(...(result.Responses?.[table] ?? []));
      batch = (result.UnprocessedKeys?.[table]?.Keys ?? []) as typeof batch;
    }
  }
  return items;
};

/** The skus of `lines` that already have stock in the table, with what is available now. */
export const existingStock = async (
  dynamodb: DynamoDBDocumentClient,
  table: string,
  lines: readonly StockLine[],
  timing: SeedTiming = {},
): Promise<Map<string, number>> => {
  const items = await batchGet(
    dynamodb,
    table,
    lines.map((line) => ({ sku: line.sku })),
    undefined,
    timing,
  );
  return new Map(items.map((item) => [String(item.sku), Number(item.available)]));
};

/** What RESERVED reservations hold per sku, split by whether their order is still open. */
export interface HeldStock {
  /** Orders in flight or NEEDS_ATTENTION (or with no order item): the units are still on the shelf. */
  readonly open: Map<string, number>;
  /** COMPLETED orders: sold and shipped; a reservation stays RESERVED for good once its order completed. */
  readonly completed: Map<string, number>;
}

const SETTLED_FREE = new Set(['CANCELLED', 'REJECTED']);

/**
 * Per sku of `skus`, the units RESERVED reservations hold, split by their order's status (a consistent
 * BatchGetItem of the orders table). The reservations table is keyed by orderId with no index by sku,
 * so this is a Scan (filtered to RESERVED, projecting orderId and the lines). A CANCELLED or REJECTED
 * order's reservation holds nothing (`verify` flags one still RESERVED).
 */
export const heldByReservations = async (
  dynamodb: DynamoDBDocumentClient,
  tables: { readonly reservationsTable: string; readonly ordersTable: string },
  skus: ReadonlySet<string>,
  timing: SeedTiming = {},
): Promise<HeldStock> => {
  const byOrder = new Map<string, { sku: string; quantity: number }[]>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({
        TableName: tables.reservationsTable,
        ConsistentRead: true,
        FilterExpression: '#status = :reserved',
        ProjectionExpression: 'orderId, #lines',
        ExpressionAttributeNames: { '#status': 'status', '#lines': 'lines' },
        ExpressionAttributeValues: { ':reserved': 'RESERVED' },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      const lines = ((item.lines ?? []) as { sku?: unknown; quantity?: unknown }[])
        .map((line) => ({ sku: String(line.sku), quantity: Number(line.quantity ?? 0) }))
        .filter((line) => skus.has(line.sku));
      if (lines.length > 0) byOrder.set(String(item.orderId), lines);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  const orders = await batchGet(
    dynamodb,
    tables.ordersTable,
    [...byOrder.keys()].map((orderId) => ({ orderId })),
    { expression: 'orderId, #status', names: { '#status': 'status' } },
    timing,
  );
  const statusOf = new Map(orders.map((order) => [String(order.orderId), String(order.status)]));
  const held: HeldStock = { open: new Map(), completed: new Map() };
  for (const [orderId, lines] of byOrder) {
    const status = statusOf.get(orderId);
    if (status !== undefined && SETTLED_FREE.has(status)) continue;
    const into = status === 'COMPLETED' ? held.completed : held.open;
    for (const line of lines) into.set(line.sku, (into.get(line.sku) ?? 0) + line.quantity);
  }
  return held;
};

export interface SeedOptions {
  readonly dryRun: boolean;
  readonly force: boolean;
  /** A deployed stage (--stage, --stack or --outputs), not the local runtime: it says it scans. */
  readonly deployed: boolean;
  readonly timing?: SeedTiming;
}

interface Writer {
  write(text: string): unknown;
}

/** What one CSV line becomes: `available` net of what open orders hold, `seeded` the baseline verify checks. */
export interface SeedPlan extends SeedLine {
  readonly seeded: number;
  /** The CSV's count: units on hand. */
  readonly onHand: number;
  readonly open: number;
  readonly completed: number;
}

/**
 * A CSV count is the units on hand: free to sell, plus what orders in flight or needing attention
 * hold (reserved, not yet shipped or given back). So `available` = count − open holds, and `seeded` =
 * available + open + completed holds: once those orders settle (shipped → completed, or given back →
 * available), verify's `seeded = available + held by COMPLETED and NEEDS_ATTENTION orders` holds.
 * A count below the open holds would make `available` negative: `short`.
 */
export const planSeed = (lines: readonly StockLine[], held: HeldStock): SeedPlan[] =>
  lines.map((line) => {
    const open = held.open.get(line.sku) ?? 0;
    const completed = held.completed.get(line.sku) ?? 0;
    const available = Math.max(0, line.available - open);
    return {
      sku: line.sku,
      onHand: line.available,
      available,
      seeded: available + open + completed,
      open,
      completed,
    };
  });

/**
 * `orderflow seed <csv>`: each row's `available` is the units on hand, which orders in flight or
 * needing attention share (see planSeed). It first totals what RESERVED reservations hold per sku
 * (and their orders' status), and refuses (exit 1, one line) a count below what open orders hold unless
 * `--force` (their `available` is then 0). `--dry-run` shows old → new and what is held, and writes nothing.
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
      `Reading ${names.reservationsTable} (a Scan: it has no index by sku) and the status of the orders they hold stock for\n`,
    );
  }
  const held = await heldByReservations(
    clients.dynamodb,
    { reservationsTable: names.reservationsTable, ordersTable: names.ordersTable },
    new Set(lines.map((line) => line.sku)),
    options.timing,
  );
  const plan = planSeed(lines, held);
  const short = plan.filter((line) => line.onHand < line.open);
  const shortText = short
    .slice(0, 3)
    .map((line) => `${line.sku}: ${line.onHand} < ${line.open} held`)
    .join(', ');
  if (options.dryRun) {
    for (const line of plan) {
      const now = existing.get(line.sku);
      out.write(
        `  ${line.sku.padEnd(16)} ${now === undefined ? 'new' : `${now} →`} ${line.available}${line.open || line.completed ? `  (on hand ${line.onHand}; open orders hold ${line.open}, completed ${line.completed}; seeded ${line.seeded})` : ''}\n`,
      );
    }
    out.write(
      `Dry run: ${lines.length} sku(s) would be written to ${names.inventoryTable}; nothing written${short.length > 0 ? `; without --force it would refuse ${short.length} sku(s) counting fewer than open orders hold (${shortText})` : ''}\n`,
    );
    return EXIT.ok;
  }
  if (short.length > 0 && !options.force) {
    err.write(
      `orderflow: ${short.length} sku(s) count fewer units on hand than orders in flight or needing attention hold (${shortText}${short.length > 3 ? ', …' : ''}); nothing written: check with --dry-run, then pass --force to set their available to 0\n`,
    );
    return EXIT.badState;
  }
  const count = await seedInventory(clients.dynamodb, names.inventoryTable, plan, new Date(), options.timing);
  out.write(`Seeded ${count} skus into ${names.inventoryTable}\n`);
  return EXIT.ok;
};
