import { randomBytes } from 'node:crypto';
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { OrderRecord, PaymentRecord, Reservation } from '#shared/domain/ports';
import type { SagaInput } from '#shared/domain/saga-state';
import { canonicalize, contentHash } from '#shared/schemas/order-placed';

/** The saga's four tables, named uniquely so test files can share DynamoDB Local in parallel. */
export interface SagaTables {
  readonly orders: string;
  readonly inventory: string;
  readonly reservations: string;
  readonly payments: string;
}

const createTable = async (dynamodb: DynamoDBClient, name: string, key: string): Promise<void> => {
  await dynamodb.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
    }),
  );
};

/** Creates orders (orderId), inventory (sku), reservations (orderId) and payments (orderId). */
export const createSagaTables = async (dynamodb: DynamoDBClient): Promise<SagaTables> => {
  const suffix = randomBytes(4).toString('hex');
  const tables: SagaTables = {
    orders: `orders-${suffix}`,
    inventory: `inventory-${suffix}`,
    reservations: `reservations-${suffix}`,
    payments: `payments-${suffix}`,
  };
  await Promise.all([
    createTable(dynamodb, tables.orders, 'orderId'),
    createTable(dynamodb, tables.inventory, 'sku'),
    createTable(dynamodb, tables.reservations, 'orderId'),
    createTable(dynamodb, tables.payments, 'orderId'),
  ]);
  return tables;
};

/** The environment the CDK gives the saga's functions, pointing at these tables. */
export const sagaEnvironment = (tables: SagaTables, topicArn: string): Record<string, string> => ({
  ORDERS_TABLE: tables.orders,
  INVENTORY_TABLE: tables.inventory,
  RESERVATIONS_TABLE: tables.reservations,
  PAYMENTS_TABLE: tables.payments,
  NOTIFICATIONS_TOPIC_ARN: topicArn,
});

/** A fresh sku prefix, so each test owns its stock. */
export const uniqueSkuPrefix = (): string => `SKU-${randomBytes(3).toString('hex').toUpperCase()}`;

export const seedStock = async (
  documentClient: DynamoDBDocumentClient,
  tables: SagaTables,
  stock: Record<string, number>,
): Promise<void> => {
  await Promise.all(
    Object.entries(stock).map(([sku, available]) =>
      documentClient.send(
        new PutCommand({
          TableName: tables.inventory,
          Item: { sku, available, updatedAt: '2026-11-22T00:00:00.000Z' },
        }),
      ),
    ),
  );
};

/** Current `available` per sku (absent skus are left out). */
export const readStock = async (
  documentClient: DynamoDBDocumentClient,
  tables: SagaTables,
  skus: readonly string[],
): Promise<Record<string, number>> => {
  const { Responses } = await documentClient.send(
    new BatchGetCommand({
      RequestItems: { [tables.inventory]: { Keys: skus.map((sku) => ({ sku })), ConsistentRead: true } },
    }),
  );
  return Object.fromEntries((Responses?.[tables.inventory] ?? []).map((item) => [item.sku, item.available]));
};

/** The orders item as process-order writes it before it starts the saga. */
export const putReceivedOrder = async (
  documentClient: DynamoDBDocumentClient,
  tables: SagaTables,
  { order, correlationId }: SagaInput,
): Promise<void> => {
  const at = '2026-11-22T11:00:00.000Z';
  await documentClient.send(
    new PutCommand({
      TableName: tables.orders,
      Item: {
        orderId: order.orderId,
        status: 'RECEIVED',
        contentHash: contentHash(canonicalize(order)),
        order,
        correlationId,
        createdAt: at,
        updatedAt: at,
        history: [{ status: 'RECEIVED', at }],
      },
    }),
  );
};

const getItem = async <T>(documentClient: DynamoDBDocumentClient, table: string, orderId: string) => {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: table, Key: { orderId }, ConsistentRead: true }),
  );
  return Item as T | undefined;
};

export const readOrder = (documentClient: DynamoDBDocumentClient, tables: SagaTables, orderId: string) =>
  getItem<OrderRecord & { statusReason?: string }>(documentClient, tables.orders, orderId);

export const readReservation = (
  documentClient: DynamoDBDocumentClient,
  tables: SagaTables,
  orderId: string,
) => getItem<Reservation>(documentClient, tables.reservations, orderId);

export const readPayment = (documentClient: DynamoDBDocumentClient, tables: SagaTables, orderId: string) =>
  getItem<PaymentRecord>(documentClient, tables.payments, orderId);

/** Money an order still holds: charged and not refunded. */
export const netChargeCents = (payment: PaymentRecord | undefined): number =>
  payment?.status === 'CHARGED' ? payment.amountCents : 0;
