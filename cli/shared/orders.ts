import { type DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { FINAL_STATUSES } from './final-statuses';

export interface HistoryEntry {
  readonly status: string;
  readonly at: string;
  readonly reason?: string;
}

/** The fields of an orders-table item the CLI shows. */
export interface OrderView {
  readonly orderId: string;
  readonly status: string;
  readonly statusReason?: string;
  readonly correlationId?: string;
  /** The repair execution `orderflow repair` started and linked, when the saga could not be redriven. */
  readonly repairExecutionArn?: string;
  readonly history: readonly HistoryEntry[];
}

const toView = (item: Record<string, unknown>): OrderView => ({
  orderId: String(item.orderId),
  status: String(item.status),
  ...(typeof item.statusReason === 'string' ? { statusReason: item.statusReason } : {}),
  ...(typeof item.correlationId === 'string' ? { correlationId: item.correlationId } : {}),
  ...(typeof item.repairExecutionArn === 'string' ? { repairExecutionArn: item.repairExecutionArn } : {}),
  history: Array.isArray(item.history) ? (item.history as HistoryEntry[]) : [],
});

/** Every order (a full scan: fine for a demo or an operator's look, never on a request path). */
export const scanOrders = async (dynamodb: DynamoDBDocumentClient, table: string): Promise<OrderView[]> => {
  const orders: OrderView[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({
        TableName: table,
        ConsistentRead: true,
        ProjectionExpression: 'orderId, #s, statusReason, correlationId, history',
        ExpressionAttributeNames: { '#s': 'status' },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    orders.push(...(page.Items ?? []).map(toView));
    start = page.LastEvaluatedKey;
  } while (start);
  return orders.sort((a, b) => a.orderId.localeCompare(b.orderId));
};

export const getOrder = async (
  dynamodb: DynamoDBDocumentClient,
  table: string,
  orderId: string,
): Promise<OrderView | undefined> => {
  const result = await dynamodb.send(
    new GetCommand({ TableName: table, Key: { orderId }, ConsistentRead: true }),
  );
  return result.Item ? toView(result.Item) : undefined;
};

export const isFinal = (status: string): boolean => (FINAL_STATUSES as readonly string[]).includes(status);
