import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoProviderBooks, isLiveParcel, netChargedCents } from '#shared/adapters/provider-books';
import type { OrderRecord, PaymentRecord, Reservation } from '#shared/domain/ports';
import type { SagaInput } from '#shared/domain/saga-state';
import { canonicalize, contentHash } from '#shared/schemas/order-placed';
import { uniqueName } from './names';
import { buildOrder, type OrderOptions, sagaInput } from './saga-orders';
import type { SagaTables } from './saga-tables';

/** A fresh sku prefix, so each test owns its stock. */
export const uniqueSkuPrefix = (): string => uniqueName('SKU').toUpperCase();

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

/** A new order with its RECEIVED orders item written; returns the saga's execution input for it. */
export const putNewOrder = async (
  documentClient: DynamoDBDocumentClient,
  tables: SagaTables,
  options: OrderOptions = {},
): Promise<SagaInput> => {
  const input = sagaInput(buildOrder(options));
  await putReceivedOrder(documentClient, tables, input);
  return input;
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

/** Money our ledger says an order still holds: charged and not refunded. */
export const netChargeCents = (payment: PaymentRecord | undefined): number =>
  payment?.status === 'CHARGED' ? payment.amountCents : 0;

/**
 * Money the simulated provider holds for an order, from its own books (the provider table): the
 * source of truth for "money taken".
 */
export const providerNetChargeCents = async (
  documentClient: DynamoDBDocumentClient,
  tables: SagaTables,
  orderId: string,
): Promise<number> =>
  netChargedCents(await new DynamoProviderBooks(documentClient, tables.provider).payment(orderId));

/** Whether the simulated carrier's own books hold a booked, uncancelled parcel for the order. */
export const carrierHasLiveParcel = async (
  documentClient: DynamoDBDocumentClient,
  tables: SagaTables,
  orderId: string,
): Promise<boolean> =>
  isLiveParcel(await new DynamoProviderBooks(documentClient, tables.provider).shipment(orderId));
