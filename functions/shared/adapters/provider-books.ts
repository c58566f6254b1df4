import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Shipment } from '#shared/domain/ports';
import { isConditionalCheckFailed } from './dynamo-errors';

export interface SimulatedCharge {
  readonly chargeId: string;
  readonly amountCents: number;
  readonly currency: string;
}

export interface SimulatedRefund {
  readonly refundId: string;
  readonly amountCents: number;
}

/** What the simulated payment provider did for one idempotency key (the orderId). */
export interface PaymentBook {
  readonly key: string;
  readonly charge?: SimulatedCharge;
  readonly refund?: SimulatedRefund;
  /** Set when a void found no charge: no charge is ever taken for the key afterwards. */
  readonly voidedAt?: string;
}

/** What the simulated carrier did for one idempotency key (the orderId). */
export interface ShipmentBook {
  readonly key: string;
  readonly shipment?: Shipment;
  /** Set by a cancellation: a booking is then cancelled, or none is made afterwards. */
  readonly cancelledAt?: string;
}

/**
 * What the simulated provider can stop answering until an operator ends the outage
 * (`orderflow sim outage start|end <kind>`): refunds (and voids) at the payment provider,
 * cancellations at the carrier. The token and postal-code rules stay as they are; an outage adds
 * to them, so a repair can be shown end to end: the outage ends, the owed compensation runs.
 */
export const OUTAGE_KINDS = ['refunds', 'cancellations'] as const;
export type OutageKind = (typeof OUTAGE_KINDS)[number];

export interface Outage {
  readonly kind: OutageKind;
  /** When it started (ISO 8601). */
  readonly since: string;
  readonly note?: string;
}

export const outageKey = (kind: OutageKind): string => `outage#${kind}`;

/** Money the provider holds for a key: charged minus refunded. */
export const netChargedCents = (book: PaymentBook): number =>
  (book.charge?.amountCents ?? 0) - (book.refund?.amountCents ?? 0);

/** Whether a parcel is booked and not cancelled. */
export const isLiveParcel = (book: ShipmentBook): boolean =>
  book.shipment !== undefined && book.cancelledAt === undefined;

/**
 * The simulated payment provider's and carrier's own books: they, not our ledger or orders table,
 * say whether money was taken and whether a parcel is live. Every change is one conditional write
 * per key, so two calls racing (a retried task while the first still runs) charge, refund, book or
 * cancel at most once, and a void and a late charge cannot both land.
 */
export interface ProviderBooks {
  payment(key: string): Promise<PaymentBook>;
  /** Takes the charge unless the key was charged or voided; returns the book as it is afterwards. */
  takeCharge(key: string, charge: SimulatedCharge, at: string): Promise<PaymentBook>;
  /** Records the refund unless the key was refunded; returns the book afterwards. */
  giveBack(key: string, refund: SimulatedRefund, at: string): Promise<PaymentBook>;
  /** Voids the key unless it was charged; returns the book afterwards (with its charge, if it had one). */
  voidUnlessCharged(key: string, at: string): Promise<PaymentBook>;
  shipment(key: string): Promise<ShipmentBook>;
  /** Books the parcel unless the key has a booking or was cancelled; returns the book afterwards. */
  book(key: string, shipment: Shipment, at: string): Promise<ShipmentBook>;
  /** Cancels the key's booking, or makes sure none is made; returns the book afterwards. */
  cancelBooking(key: string, at: string): Promise<ShipmentBook>;
  /** The outage of this kind in force, if any. */
  outage(kind: OutageKind): Promise<Outage | undefined>;
}

/** Partition keys: one item per provider and idempotency key. */
export const paymentKey = (key: string): string => `payment#${key}`;
export const shipmentKey = (key: string): string => `shipment#${key}`;

type Item = Record<string, unknown>;

const str = (item: Item, name: string): string | undefined =>
  typeof item[name] === 'string' ? (item[name] as string) : undefined;
const num = (item: Item, name: string): number | undefined =>
  typeof item[name] === 'number' ? (item[name] as number) : undefined;

export const paymentBookOf = (key: string, item: Item | undefined): PaymentBook => {
  if (item === undefined) return { key };
  const chargeId = str(item, 'chargeId');
  const refundId = str(item, 'refundId');
  const voidedAt = str(item, 'voidedAt');
  return {
    key,
    ...(chargeId === undefined
      ? {}
      : {
          charge: {
            chargeId,
            amountCents: num(item, 'chargedCents') ?? 0,
            currency: str(item, 'currency') ?? '',
          },
        }),
    ...(refundId === undefined ? {} : { refund: { refundId, amountCents: num(item, 'refundedCents') ?? 0 } }),
    ...(voidedAt === undefined ? {} : { voidedAt }),
  };
};

export const shipmentBookOf = (key: string, item: Item | undefined): ShipmentBook => {
  if (item === undefined) return { key };
  const trackingId = str(item, 'trackingId');
  const cancelledAt = str(item, 'cancelledAt');
  return {
    key,
    ...(trackingId === undefined ? {} : { shipment: { trackingId, carrier: str(item, 'carrier') ?? '' } }),
    ...(cancelledAt === undefined ? {} : { cancelledAt }),
  };
};

export const outageOf = (kind: OutageKind, item: Item | undefined): Outage | undefined => {
  if (item === undefined) return undefined;
  const note = str(item, 'note');
  return { kind, since: str(item, 'since') ?? '', ...(note === undefined ? {} : { note }) };
};

/** The books in a DynamoDB table (partition key `pk`): `payment#<key>` and `shipment#<key>` items. */
export class DynamoProviderBooks implements ProviderBooks {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async payment(key: string): Promise<PaymentBook> {
    return paymentBookOf(key, await this.get(paymentKey(key)));
  }

  async takeCharge(key: string, charge: SimulatedCharge, at: string): Promise<PaymentBook> {
    const item = await this.update(
      paymentKey(key),
      'SET chargeId = :id, chargedCents = :amount, currency = :currency, chargedAt = :at',
      'attribute_not_exists(chargeId) AND attribute_not_exists(voidedAt)',
      { ':id': charge.chargeId, ':amount': charge.amountCents, ':currency': charge.currency, ':at': at },
    );
    return paymentBookOf(key, item);
  }

  async giveBack(key: string, refund: SimulatedRefund, at: string): Promise<PaymentBook> {
    const item = await this.update(
      paymentKey(key),
      'SET refundId = :id, refundedCents = :amount, refundedAt = :at',
      'attribute_not_exists(refundId)',
      { ':id': refund.refundId, ':amount': refund.amountCents, ':at': at },
    );
    return paymentBookOf(key, item);
  }

  async voidUnlessCharged(key: string, at: string): Promise<PaymentBook> {
    const item = await this.update(
      paymentKey(key),
      'SET voidedAt = if_not_exists(voidedAt, :at)',
      'attribute_not_exists(chargeId)',
      { ':at': at },
    );
    return paymentBookOf(key, item);
  }

  async shipment(key: string): Promise<ShipmentBook> {
    return shipmentBookOf(key, await this.get(shipmentKey(key)));
  }

  async book(key: string, shipment: Shipment, at: string): Promise<ShipmentBook> {
    const item = await this.update(
      shipmentKey(key),
      'SET trackingId = :tracking, carrier = :carrier, bookedAt = :at',
      'attribute_not_exists(trackingId) AND attribute_not_exists(cancelledAt)',
      { ':tracking': shipment.trackingId, ':carrier': shipment.carrier, ':at': at },
    );
    return shipmentBookOf(key, item);
  }

  async cancelBooking(key: string, at: string): Promise<ShipmentBook> {
    const item = await this.update(
      shipmentKey(key),
      'SET cancelledAt = if_not_exists(cancelledAt, :at)',
      undefined,
      { ':at': at },
    );
    return shipmentBookOf(key, item);
  }

  async outage(kind: OutageKind): Promise<Outage | undefined> {
    return outageOf(kind, await this.get(outageKey(kind)));
  }

  private async get(pk: string): Promise<Item | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk }, ConsistentRead: true }),
    );
    return Item;
  }

  /** The item after the update, or as it stands when the condition refused the change. */
  private async update(
    pk: string,
    expression: string,
    condition: string | undefined,
    values: Record<string, unknown>,
  ): Promise<Item | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk },
          UpdateExpression: expression,
          ...(condition === undefined ? {} : { ConditionExpression: condition }),
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      // The document client leaves an old item on the error marshalled; a consistent read is simpler.
      return this.get(pk);
    }
  }
}
