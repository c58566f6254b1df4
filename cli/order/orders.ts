import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ORDER_STATUSES } from '#shared/domain/order-status';
import { ORDERS_BY_STATUS_INDEX } from '../../lib/contract';
import { UsageError } from '../shared/errors';
import type { Target } from '../shared/target';

export interface OrderRow {
  readonly orderId: string;
  readonly status: string;
  readonly updatedAt: string;
  readonly statusReason?: string;
  readonly correlationId?: string;
}

export interface OrdersQuery {
  /** @default every status, one query per status */
  readonly status?: string;
  /** ISO time: only orders whose status changed at or after it. */
  readonly since?: string;
  readonly limit: number;
}

/**
 * Orders by status from the orders table's ByStatus index (status, updatedAt): a Query per status,
 * newest change first, never a Scan of the table.
 */
export const queryOrders = async (
  dynamodb: DynamoDBDocumentClient,
  table: string,
  query: OrdersQuery,
): Promise<OrderRow[]> => {
  if (query.status !== undefined && !(ORDER_STATUSES as readonly string[]).includes(query.status)) {
    throw new UsageError(
      `unknown status ${JSON.stringify(query.status)}: one of ${ORDER_STATUSES.join(', ')}`,
    );
  }
  const statuses = query.status ? [query.status] : [...ORDER_STATUSES];
  const rows: OrderRow[] = [];
  for (const status of statuses) {
    let start: Record<string, unknown> | undefined;
    let taken = 0;
    do {
      const page = await dynamodb.send(
        new QueryCommand({
          TableName: table,
          IndexName: ORDERS_BY_STATUS_INDEX,
          KeyConditionExpression: query.since ? '#s = :s AND updatedAt >= :since' : '#s = :s',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': status, ...(query.since ? { ':since': query.since } : {}) },
          ScanIndexForward: false,
          Limit: Math.min(1000, query.limit - taken),
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        rows.push({
          orderId: String(item.orderId),
          status: String(item.status),
          updatedAt: String(item.updatedAt),
          ...(typeof item.statusReason === 'string' ? { statusReason: item.statusReason } : {}),
          ...(typeof item.correlationId === 'string' ? { correlationId: item.correlationId } : {}),
        });
      }
      taken += page.Items?.length ?? 0;
      start = page.LastEvaluatedKey;
    } while (start && taken < query.limit);
  }
  return rows.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)).slice(0, query.limit);
};

/** `orderflow orders [--status S] [--since T]`. */
export const listOrders = async (
  { clients, names }: Target,
  query: OrdersQuery & { readonly json: boolean },
  out: NodeJS.WritableStream,
): Promise<number> => {
  const rows = await queryOrders(clients.dynamodb, names.ordersTable, query);
  if (query.json) {
    out.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  for (const row of rows) {
    out.write(
      `${row.orderId.padEnd(18)} ${row.status.padEnd(16)} ${row.updatedAt}${row.statusReason ? `  ${row.statusReason}` : ''}\n`,
    );
  }
  out.write(
    `${rows.length} order(s)${query.status ? ` ${query.status}` : ''}${query.since ? ` changed since ${query.since}` : ''}${rows.length >= query.limit ? ` (--limit ${query.limit} reached)` : ''}\n`,
  );
  return 0;
};
