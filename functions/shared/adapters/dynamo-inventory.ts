import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { InventoryPort, ReleaseOutcome, Reservation, ReservationLine } from '#shared/domain/ports';
import { OutOfStock, UnknownSku } from '#shared/errors/saga';
import { type ConflictRetry, DEFAULT_CONFLICT_RETRY, sendRetryingConflicts } from './conflict-retry';
import {
  cancellationReasonsOf,
  isConditionalCheckFailed,
  isTransientCancellation,
  rethrowTransient,
} from './dynamo-errors';
import { interpretReservationCancellation } from './reservation-cancellation';

export interface InventoryTables {
  readonly inventoryTable: string;
  readonly reservationsTable: string;
}

/**
 * Stock and reservations in DynamoDB. Taking and giving back stock are each one
 * TransactWriteItems with the reservation item, so stock moves exactly when the
 * reservation changes state: never twice, never without a record of it. A transaction cancelled
 * by a conflict (many orders for one sku at once) is sent again here first (conflict-retry.ts).
 */
export class DynamoInventory implements InventoryPort {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: InventoryTables,
    private readonly conflictRetry: ConflictRetry = DEFAULT_CONFLICT_RETRY,
  ) {}

  async reserve(
    orderId: string,
    lines: readonly ReservationLine[],
    at: string,
  ): Promise<{ reservation: Reservation; created: boolean }> {
    const reservation: Reservation = {
      orderId,
      lines: lines.map(({ sku, quantity }) => ({ sku, quantity })),
      status: 'RESERVED',
      reservedAt: at,
    };
    try {
      await this.sendTransaction(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tables.reservationsTable,
                Item: reservation,
                ConditionExpression: 'attribute_not_exists(orderId)',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            ...lines.map((line) => ({
              Update: {
                TableName: this.tables.inventoryTable,
                Key: { sku: line.sku },
                UpdateExpression: 'SET available = available - :quantity, updatedAt = :at',
                ConditionExpression: 'attribute_exists(sku) AND available >= :quantity',
                ExpressionAttributeValues: { ':quantity': line.quantity, ':at': at },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
              },
            })),
          ],
        }),
      );
      return { reservation, created: true };
    } catch (error) {
      const reasons = cancellationReasonsOf(error);
      if (!reasons || isTransientCancellation(reasons))
        return rethrowTransient(error, `reserving order ${orderId}`);
      const meaning = interpretReservationCancellation(reasons, lines);
      switch (meaning.kind) {
        case 'already-reserved': {
          const existing = await this.getReservation(orderId);
          if (existing) return { reservation: existing, created: false };
          // Gone between the write and the read (only a person deletes reservations): fail and be retried.
          throw error;
        }
        case 'unknown-sku':
          throw new UnknownSku(meaning.skus);
        case 'out-of-stock':
          throw new OutOfStock(meaning.shortages);
        default:
          throw error;
      }
    }
  }

  async release(
    orderId: string,
    at: string,
  ): Promise<{ outcome: ReleaseOutcome; lines: readonly ReservationLine[] }> {
    const existing = await this.getReservation(orderId);
    if (!existing) {
      // A reserve transaction may still be in flight (its Lambda was cut off, the task timed out):
      // the marker makes its conditional reservation put fail, so it takes no stock after this.
      if (await this.putReleaseMarker(orderId, at)) return { outcome: 'NOTHING_TO_RELEASE', lines: [] };
      // The reservation landed between the read and the marker: release it.
      return this.release(orderId, at);
    }
    if (existing.status === 'RELEASED') {
      return existing.lines.length === 0
        ? { outcome: 'NOTHING_TO_RELEASE', lines: [] }
        : { outcome: 'ALREADY_RELEASED', lines: existing.lines };
    }
    try {
      await this.sendTransaction(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tables.reservationsTable,
                Key: { orderId },
                UpdateExpression: 'SET #status = :released, releasedAt = :at',
                ConditionExpression: '#status = :reserved',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':released': 'RELEASED', ':reserved': 'RESERVED', ':at': at },
              },
            },
            // ADD rather than SET available + n: it still gives the stock back if the sku item was deleted meanwhile.
            ...existing.lines.map((line) => ({
              Update: {
                TableName: this.tables.inventoryTable,
                Key: { sku: line.sku },
                UpdateExpression: 'ADD available :quantity SET updatedAt = :at',
                ExpressionAttributeValues: { ':quantity': line.quantity, ':at': at },
              },
            })),
          ],
        }),
      );
      return { outcome: 'RELEASED', lines: existing.lines };
    } catch (error) {
      const reasons = cancellationReasonsOf(error);
      if (reasons?.[0]?.Code === 'ConditionalCheckFailed') {
        // A concurrent release won: what it gave back is the whole reservation.
        const now = await this.getReservation(orderId);
        if (now?.status === 'RELEASED') return { outcome: 'ALREADY_RELEASED', lines: now.lines };
      }
      return rethrowTransient(error, `releasing order ${orderId}`);
    }
  }

  private sendTransaction(command: TransactWriteCommand): Promise<unknown> {
    return sendRetryingConflicts(() => this.client.send(command), this.conflictRetry);
  }

  /** Writes `{status: RELEASED, lines: []}` unless the order has a reservation item; false if it has one. */
  private async putReleaseMarker(orderId: string, at: string): Promise<boolean> {
    const marker: Reservation = { orderId, lines: [], status: 'RELEASED', releasedAt: at };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tables.reservationsTable,
          Item: marker,
          ConditionExpression: 'attribute_not_exists(orderId)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      return rethrowTransient(error, `marking the reservation of order ${orderId} released`);
    }
  }

  private async getReservation(orderId: string): Promise<Reservation | undefined> {
    try {
      const { Item } = await this.client.send(
        new GetCommand({ TableName: this.tables.reservationsTable, Key: { orderId }, ConsistentRead: true }),
      );
      return Item as Reservation | undefined;
    } catch (error) {
      return rethrowTransient(error, `reading the reservation of order ${orderId}`);
    }
  }
}
