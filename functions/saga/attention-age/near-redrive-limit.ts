import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '#shared/domain/ports';

/** The metric the OrdersNearRedriveLimit alarm watches (namespace orderflow, dimension service). */
export const NEAR_REDRIVE_LIMIT_METRIC = 'OrdersNearRedriveLimit';

/** How many order ids the log line names; the metric counts them all. */
const NAMED = 20;

export interface NearRedriveLimit {
  readonly count: number;
  /** When orders became NEEDS_ATTENTION at the latest to count (ISO 8601). */
  readonly cutoff: string;
  /** The oldest ones first, at most 20: orderId and since when it needs attention. */
  readonly oldest: readonly { readonly orderId: string; readonly since: string }[];
}

export interface NearRedriveLimitDeps {
  readonly documentClient: DynamoDBDocumentClient;
  readonly ordersTable: string;
  readonly index: string;
  readonly clock: Clock;
  /** An order NEEDS_ATTENTION for at least this long counts. */
  readonly olderThanDays: number;
}

/**
 * Orders NEEDS_ATTENTION since at least `olderThanDays`, from the ByStatus index (partition status,
 * sort updatedAt: a NEEDS_ATTENTION order's updatedAt is when it became so, or later, when a redrive
 * that failed again wrote it before stopping — its CancelShipment (orders.cancelShipment) sets
 * updatedAt. Either way it is no later than the execution's last stop, so an order counts early, the
 * safe direction). Step Functions refuses to redrive an execution 14 days after it
 * stopped; an order counted here has a few days left for `orderflow repair` to redrive it (after
 * that, repair starts a repair execution instead). Reads only the index's keys, page by page.
 */
export const findOrdersNearRedriveLimit = async (deps: NearRedriveLimitDeps): Promise<NearRedriveLimit> => {
  const cutoff = new Date(deps.clock.now().getTime() - deps.olderThanDays * 24 * 3600 * 1000).toISOString();
  const oldest: { orderId: string; since: string }[] = [];
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await deps.documentClient.send(
      new QueryCommand({
        TableName: deps.ordersTable,
        IndexName: deps.index,
        KeyConditionExpression: '#status = :attention AND updatedAt <= :cutoff',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':attention': 'NEEDS_ATTENTION', ':cutoff': cutoff },
        ProjectionExpression: 'orderId, updatedAt',
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      count += 1;
      if (oldest.length < NAMED)
        oldest.push({ orderId: String(item.orderId), since: String(item.updatedAt) });
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return { count, cutoff, oldest };
};
