import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { allowedSources, type OrderStatus, type TransitionResult } from '#shared/domain/order-status';
import type { AcceptedOrder, OrderRecord, OrderRepository, Shipment } from '#shared/domain/ports';
import { ConflictingDuplicate } from '#shared/errors/index';
import { SagaAlreadyStarted, ShipmentCancelled, TransientStoreError } from '#shared/errors/saga';
import { isConditionalCheckFailed, rethrowTransient } from './dynamo-errors';

/**
 * The orders table's saga-facing side: status changes with their history, and the shipment
 * (attached once, or cancelled so that none is attached afterwards).
 * Every status change is one conditional UpdateItem, so the status and its history entry
 * are written together or not at all, and concurrent writers cannot move an order backwards.
 */
export class DynamoOrderRepository implements OrderRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(orderId: string): Promise<OrderRecord | undefined> {
    try {
      const { Item } = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: { orderId }, ConsistentRead: true }),
      );
      return Item ? toRecord(orderId, Item) : undefined;
    } catch (error) {
      return rethrowTransient(error, `reading order ${orderId}`);
    }
  }

  async receive(accepted: AcceptedOrder, executionArn: string, at: string): Promise<void> {
    const { orderId } = accepted.order;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { orderId },
          // Every attribute only if absent: an order the pipeline wrote, or the saga moved on, keeps its own.
          UpdateExpression:
            'SET #status = if_not_exists(#status, :received), #history = if_not_exists(#history, :history), ' +
            'contentHash = if_not_exists(contentHash, :hash), #order = if_not_exists(#order, :order), ' +
            'correlationId = if_not_exists(correlationId, :correlationId), ' +
            'createdAt = if_not_exists(createdAt, :at), updatedAt = :at, ' +
            'sagaExecutionArn = if_not_exists(sagaExecutionArn, :execution)',
          ConditionExpression:
            '(attribute_not_exists(contentHash) OR contentHash = :hash) AND ' +
            '(attribute_not_exists(sagaExecutionArn) OR sagaExecutionArn = :execution)',
          ExpressionAttributeNames: { '#status': 'status', '#history': 'history', '#order': 'order' },
          ExpressionAttributeValues: {
            ':received': 'RECEIVED',
            ':history': [{ status: 'RECEIVED', at }],
            ':hash': accepted.contentHash,
            ':order': accepted.order,
            ':correlationId': accepted.correlationId,
            ':at': at,
            ':execution': executionArn,
          },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) return rethrowTransient(error, `receiving order ${orderId}`);
      const { Item } = await this.client
        .send(new GetCommand({ TableName: this.tableName, Key: { orderId }, ConsistentRead: true }))
        .catch((readError: unknown) => rethrowTransient(readError, `reading order ${orderId}`));
      if (Item?.contentHash !== undefined && Item.contentHash !== accepted.contentHash) {
        throw new ConflictingDuplicate(orderId);
      }
      if (typeof Item?.sagaExecutionArn === 'string' && Item.sagaExecutionArn !== executionArn) {
        throw new SagaAlreadyStarted(orderId, Item.sagaExecutionArn);
      }
      // The item changed between the write and the read (it was deleted by hand): a retry decides.
      throw new TransientStoreError(`receiving order ${orderId}: its item changed while it was written`);
    }
  }

  async transition(
    orderId: string,
    status: OrderStatus,
    at: string,
    reason?: string,
    by?: string,
  ): Promise<TransitionResult> {
    const sources = allowedSources(status);
    const sourceValues = Object.fromEntries(sources.map((source, index) => [`:from${index}`, source]));
    const condition =
      sources.length === 0
        ? 'attribute_not_exists(#status)'
        : `attribute_not_exists(#status) OR #status IN (${Object.keys(sourceValues).join(', ')})`;
    const set = [
      '#status = :status',
      'updatedAt = :at',
      // An order the saga reaches before process-order wrote it (a saga started by hand) still gets a timeline.
      'createdAt = if_not_exists(createdAt, :at)',
      '#history = list_append(if_not_exists(#history, :empty), :entry)',
      ...(reason === undefined ? [] : ['statusReason = :reason']),
    ];
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { orderId },
          UpdateExpression: `SET ${set.join(', ')}${reason === undefined ? ' REMOVE statusReason' : ''}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#status': 'status', '#history': 'history' },
          ExpressionAttributeValues: {
            ':status': status,
            ':at': at,
            ':empty': [],
            ':entry': [
              {
                status,
                at,
                ...(reason === undefined ? {} : { reason }),
                ...(by === undefined ? {} : { by }),
              },
            ],
            ...(reason === undefined ? {} : { ':reason': reason }),
            ...sourceValues,
          },
        }),
      );
      return { changed: true, status };
    } catch (error) {
      if (!isConditionalCheckFailed(error))
        return rethrowTransient(error, `moving order ${orderId} to ${status}`);
      const current = await this.get(orderId);
      // This writer's own write, whose answer was lost before the SDK retried it: it did change it.
      const last = current?.history.at(-1);
      if (by !== undefined && current?.status === status && last?.status === status && last.by === by) {
        return { changed: true, status };
      }
      // The condition only fails on an existing status.
      return { changed: false, status: current?.status ?? status };
    }
  }

  async attachShipment(orderId: string, shipment: Shipment, at: string): Promise<Shipment> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { orderId },
          UpdateExpression: 'SET shipment = :shipment, updatedAt = :at',
          // A shipment cancelled by the compensation stays cancelled: a late booking is not attached.
          ConditionExpression: 'attribute_not_exists(shipment) AND attribute_not_exists(shipmentCancelledAt)',
          ExpressionAttributeValues: {
            ':shipment': { trackingId: shipment.trackingId, carrier: shipment.carrier },
            ':at': at,
          },
        }),
      );
      return shipment;
    } catch (error) {
      if (!isConditionalCheckFailed(error))
        return rethrowTransient(error, `storing the shipment of order ${orderId}`);
      const current = await this.get(orderId);
      if (current?.shipmentCancelledAt !== undefined) throw new ShipmentCancelled(orderId);
      return current?.shipment ?? shipment;
    }
  }

  async cancelShipment(orderId: string, at: string): Promise<OrderRecord> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { orderId },
          UpdateExpression:
            'SET shipmentCancelledAt = if_not_exists(shipmentCancelledAt, :at), updatedAt = :at, ' +
            'createdAt = if_not_exists(createdAt, :at)',
          ExpressionAttributeValues: { ':at': at },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toRecord(orderId, Attributes ?? {});
    } catch (error) {
      return rethrowTransient(error, `cancelling the shipment of order ${orderId}`);
    }
  }
}

const toRecord = (orderId: string, item: Record<string, unknown>): OrderRecord => ({
  orderId,
  ...(item.status ? { status: item.status as OrderStatus } : {}),
  ...(item.statusReason ? { statusReason: item.statusReason as string } : {}),
  ...(item.shipment ? { shipment: item.shipment as Shipment } : {}),
  ...(typeof item.shipmentCancelledAt === 'string' ? { shipmentCancelledAt: item.shipmentCancelledAt } : {}),
  ...(typeof item.sagaExecutionArn === 'string' ? { sagaExecutionArn: item.sagaExecutionArn } : {}),
  history: (item.history as OrderRecord['history'] | undefined) ?? [],
});
