import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  type DeclineCode,
  newPaymentRecord,
  type PaymentLedgerPort,
  type PaymentRecord,
  type PaymentStatus,
  type VoidOutcome,
} from '#shared/domain/ports';
import { isConditionalCheckFailed, rethrowTransient } from './dynamo-errors';

type Values = Record<string, unknown>;

/** The parts of a status UpdateItem that differ between moves; `#status` is always bound. */
interface StatusUpdate {
  readonly UpdateExpression: string;
  readonly ConditionExpression: string;
  readonly ExpressionAttributeValues: Values;
}

/**
 * The payments table as a ledger: one item per order whose status only moves
 * PENDING → CHARGED → REFUNDED, PENDING → DECLINED or (no item | PENDING) → VOIDED, each move
 * conditional on the status it leaves, so a retried or concurrent step can never charge or
 * refund twice, nor charge after the compensation voided the payment.
 */
export class DynamoPaymentLedger implements PaymentLedgerPort {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(orderId: string): Promise<PaymentRecord | undefined> {
    try {
      const { Item } = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: { orderId }, ConsistentRead: true }),
      );
      return Item ? toRecord(Item) : undefined;
    } catch (error) {
      return rethrowTransient(error, `reading the payment of order ${orderId}`);
    }
  }

  async open(orderId: string, amountCents: number, currency: string, at: string): Promise<PaymentRecord> {
    const record = newPaymentRecord(orderId, amountCents, currency, at);
    return this.writeOrRead(orderId, `opening the payment of order ${orderId}`, async () => {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: record,
          ConditionExpression: 'attribute_not_exists(orderId)',
        }),
      );
      return record;
    });
  }

  countChargeAttempt(orderId: string, at: string): Promise<number | undefined> {
    return this.count(orderId, 'attempts', 'PENDING', at);
  }

  countRefundAttempt(orderId: string, at: string): Promise<number | undefined> {
    return this.count(orderId, 'refundAttempts', 'CHARGED', at);
  }

  markCharged(orderId: string, chargeId: string, at: string): Promise<PaymentRecord> {
    return this.move(orderId, 'PENDING', 'CHARGED', at, 'chargeId = :chargeId', { ':chargeId': chargeId });
  }

  markDeclined(orderId: string, code: DeclineCode, reason: string, at: string): Promise<PaymentRecord> {
    return this.move(orderId, 'PENDING', 'DECLINED', at, 'declineCode = :code, declineReason = :reason', {
      ':code': code,
      ':reason': reason,
    });
  }

  markRefunded(orderId: string, refundId: string, at: string): Promise<PaymentRecord> {
    return this.move(orderId, 'CHARGED', 'REFUNDED', at, 'refundId = :refundId', { ':refundId': refundId });
  }

  markVoided(orderId: string, amountCents: number, currency: string, at: string): Promise<PaymentRecord> {
    return this.update(orderId, `voiding the payment of order ${orderId}`, {
      UpdateExpression:
        'SET #status = :voided, voidedAt = :at, updatedAt = :at, ' +
        'amountCents = if_not_exists(amountCents, :amount), currency = if_not_exists(currency, :currency), ' +
        'attempts = if_not_exists(attempts, :zero), refundAttempts = if_not_exists(refundAttempts, :zero)',
      // A missing item becomes a void marker: a charge step still on its way finds it and stops.
      ConditionExpression: 'attribute_not_exists(orderId) OR #status = :pending',
      ExpressionAttributeValues: {
        ':voided': 'VOIDED',
        ':pending': 'PENDING',
        ':at': at,
        ':amount': amountCents,
        ':currency': currency,
        ':zero': 0,
      },
    });
  }

  countVoidAttempt(orderId: string, at: string): Promise<number | undefined> {
    return this.count(orderId, 'refundAttempts', 'VOIDED', at);
  }

  settleVoid(
    orderId: string,
    outcome: VoidOutcome,
    refundId: string | undefined,
    at: string,
  ): Promise<PaymentRecord> {
    return this.update(orderId, `settling the void of order ${orderId}`, {
      UpdateExpression: `SET voidOutcome = :outcome, updatedAt = :at${refundId === undefined ? '' : ', refundId = :refundId'}`,
      ConditionExpression: '#status = :voided AND attribute_not_exists(voidOutcome)',
      ExpressionAttributeValues: {
        ':outcome': outcome,
        ':voided': 'VOIDED',
        ':at': at,
        ...(refundId === undefined ? {} : { ':refundId': refundId }),
      },
    });
  }

  private async count(
    orderId: string,
    counter: 'attempts' | 'refundAttempts',
    whileStatus: PaymentStatus,
    at: string,
  ): Promise<number | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { orderId },
          UpdateExpression: `ADD ${counter} :one SET updatedAt = :at`,
          ConditionExpression: '#status = :status',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':one': 1, ':at': at, ':status': whileStatus },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(Attributes?.[counter]);
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      return rethrowTransient(error, `counting a call for the payment of order ${orderId}`);
    }
  }

  private async move(
    orderId: string,
    from: PaymentStatus,
    to: PaymentStatus,
    at: string,
    set: string,
    values: Values,
  ): Promise<PaymentRecord> {
    return this.update(orderId, `moving the payment of order ${orderId} to ${to}`, {
      UpdateExpression: `SET #status = :to, updatedAt = :at, ${set}`,
      ConditionExpression: '#status = :from',
      ExpressionAttributeValues: { ':to': to, ':from': from, ':at': at, ...values },
    });
  }

  /** A conditional UpdateItem on the status returning the whole new item, or the current one if it lost. */
  private update(orderId: string, what: string, change: StatusUpdate): Promise<PaymentRecord> {
    return this.writeOrRead(orderId, what, async () => {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { orderId },
          ...change,
          ExpressionAttributeNames: { '#status': 'status' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toRecord(Attributes ?? {});
    });
  }

  /**
   * Runs a conditional write. A failed condition means another attempt already moved the item,
   * so the caller gets the item as it is now; transient errors become retryable.
   */
  private async writeOrRead(
    orderId: string,
    what: string,
    write: () => Promise<PaymentRecord>,
  ): Promise<PaymentRecord> {
    try {
      return await write();
    } catch (error) {
      if (!isConditionalCheckFailed(error)) return rethrowTransient(error, what);
      return this.require(orderId);
    }
  }

  private async require(orderId: string): Promise<PaymentRecord> {
    const record = await this.get(orderId);
    if (!record)
      throw new Error(`the payment item of order ${orderId} disappeared while it was being updated`);
    return record;
  }
}

const toRecord = (item: Values): PaymentRecord => ({
  orderId: String(item.orderId),
  amountCents: Number(item.amountCents),
  currency: String(item.currency),
  status: item.status as PaymentStatus,
  attempts: Number(item.attempts ?? 0),
  refundAttempts: Number(item.refundAttempts ?? 0),
  ...(typeof item.chargeId === 'string' ? { chargeId: item.chargeId } : {}),
  ...(typeof item.refundId === 'string' ? { refundId: item.refundId } : {}),
  ...(typeof item.declineCode === 'string' ? { declineCode: item.declineCode as DeclineCode } : {}),
  ...(typeof item.declineReason === 'string' ? { declineReason: item.declineReason } : {}),
  ...(typeof item.voidedAt === 'string' ? { voidedAt: item.voidedAt } : {}),
  ...(typeof item.voidOutcome === 'string' ? { voidOutcome: item.voidOutcome as VoidOutcome } : {}),
  updatedAt: String(item.updatedAt),
});
