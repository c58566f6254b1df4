import { type AttributeValue, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictingDuplicate } from '#shared/errors/index';
import type { OrderPlaced } from '#shared/schemas/order-placed';

export interface ReceivedOrder {
  readonly order: OrderPlaced;
  readonly contentHash: string;
  readonly correlationId: string;
}

/**
 * `created`: this call wrote the order. `exists`: the same order was already there, untouched, with
 * the saga execution that owns it when one is linked (an execution started by hand may own it).
 */
export type PutOrderOutcome =
  | { readonly kind: 'created' }
  | { readonly kind: 'exists'; readonly status: string; readonly sagaExecutionArn?: string };

const stringOf = (value: AttributeValue | undefined): string | undefined =>
  value && 'S' in value ? value.S : undefined;

/**
 * Writes the order with status RECEIVED only when no item exists for its id, linked to the saga
 * execution about to be started for it (`sagaExecutionArn`). An existing item is never overwritten:
 * the saga may have advanced its status, and the idempotency record that usually stops a duplicate
 * expires. The old item's hash tells a redelivery from a conflict.
 */
export const putReceivedOrder = async (
  documentClient: DynamoDBDocumentClient,
  tableName: string,
  received: ReceivedOrder,
  now: Date,
  sagaExecutionArn: string,
): Promise<PutOrderOutcome> => {
  const at = now.toISOString();
  const { orderId } = received.order;
  try {
    await documentClient.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          orderId,
          status: 'RECEIVED',
          history: [{ status: 'RECEIVED', at }],
          contentHash: received.contentHash,
          order: received.order,
          correlationId: received.correlationId,
          sagaExecutionArn,
          createdAt: at,
          updatedAt: at,
        },
        ConditionExpression: 'attribute_not_exists(orderId)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { kind: 'created' };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const existing = error.Item
      ? {
          contentHash: stringOf(error.Item.contentHash),
          status: stringOf(error.Item.status),
          sagaExecutionArn: stringOf(error.Item.sagaExecutionArn),
        }
      : await readExisting(documentClient, tableName, orderId);
    if (existing.contentHash !== received.contentHash) throw new ConflictingDuplicate(orderId);
    return {
      kind: 'exists',
      status: existing.status ?? 'UNKNOWN',
      ...(existing.sagaExecutionArn === undefined ? {} : { sagaExecutionArn: existing.sagaExecutionArn }),
    };
  }
};

/** Only reached when a stand-in omits the old item from the condition failure. */
const readExisting = async (documentClient: DynamoDBDocumentClient, tableName: string, orderId: string) => {
  const { Item } = await documentClient.send(
    new GetCommand({
      TableName: tableName,
      Key: { orderId },
      ProjectionExpression: 'contentHash, #status, sagaExecutionArn',
      ExpressionAttributeNames: { '#status': 'status' },
      ConsistentRead: true,
    }),
  );
  // The item was deleted between the two calls: a retry settles which case this is.
  if (!Item) throw new Error(`order ${orderId} failed its condition but is no longer there`);
  return {
    contentHash: typeof Item.contentHash === 'string' ? Item.contentHash : undefined,
    status: typeof Item.status === 'string' ? Item.status : undefined,
    sagaExecutionArn: typeof Item.sagaExecutionArn === 'string' ? Item.sagaExecutionArn : undefined,
  };
};
