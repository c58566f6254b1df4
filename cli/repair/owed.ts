import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  isLiveParcel,
  netChargedCents,
  type PaymentBook,
  paymentBookOf,
  paymentKey,
  type ShipmentBook,
  shipmentBookOf,
  shipmentKey,
} from '#shared/adapters/provider-books';
import type { PaymentRecord, Reservation } from '#shared/domain/ports';
import type { RepairOwed } from '../../lib/constructs/order-repair';

/** The order's own records, each from the table that is its source of truth. */
export interface OrderRecords {
  /** The orders-table item: status, `order`, correlationId, shipment, shipmentCancelledAt, history. */
  readonly item: Record<string, unknown>;
  readonly payment?: PaymentRecord;
  readonly reservation?: Reservation;
  readonly paymentBook: PaymentBook;
  readonly shipmentBook: ShipmentBook;
}

export interface RepairTables {
  readonly paymentsTable: string;
  readonly reservationsTable: string;
  readonly providerTable: string;
}

const getItem = async (
  dynamodb: DynamoDBDocumentClient,
  table: string,
  key: Record<string, string>,
): Promise<Record<string, unknown> | undefined> =>
  (await dynamodb.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;

/** Reads the ledger, the reservation and the provider's books of one order (consistent reads). */
export const readOrderRecords = async (
  dynamodb: DynamoDBDocumentClient,
  tables: RepairTables,
  orderId: string,
  item: Record<string, unknown>,
): Promise<OrderRecords> => {
  const [payment, reservation, paymentItem, shipmentItem] = await Promise.all([
    getItem(dynamodb, tables.paymentsTable, { orderId }),
    getItem(dynamodb, tables.reservationsTable, { orderId }),
    getItem(dynamodb, tables.providerTable, { pk: paymentKey(orderId) }),
    getItem(dynamodb, tables.providerTable, { pk: shipmentKey(orderId) }),
  ]);
  return {
    item,
    ...(payment ? { payment: payment as unknown as PaymentRecord } : {}),
    ...(reservation ? { reservation: reservation as unknown as Reservation } : {}),
    paymentBook: paymentBookOf(orderId, paymentItem),
    shipmentBook: shipmentBookOf(orderId, shipmentItem),
  };
};

export interface OwedDecision {
  readonly owed: RepairOwed;
  /** Why, one short clause per step, for the operator's one line. */
  readonly because: readonly string[];
  /**
   * Set when the records disagree in a way no owed step can settle: a repair would succeed and record
   * CANCELLED while the provider still holds money, or CancelShipment would fail for good. A person
   * settles such an order (docs/runbook.md, "Records disagree").
   */
  readonly disagreement?: string;
}

/**
 * Whether RefundPayment, which reads only the ledger, would give back money the provider holds:
 * CHARGED refunds the charge; PENDING, or VOIDED with no outcome yet, asks the gateway to void and
 * refund, but only when a charge call was counted. REFUNDED, DECLINED, a settled void or no ledger
 * item give nothing back.
 */
const refundReachesProvider = (payment: PaymentRecord | undefined): boolean => {
  if (payment === undefined) return false;
  if (payment.status === 'CHARGED') return payment.chargeId !== undefined;
  const unsettled =
    payment.status === 'PENDING' || (payment.status === 'VOIDED' && payment.voidOutcome === undefined);
  return unsettled && payment.attempts > 0;
};

/**
 * What a repair still owes, from the records alone (the saga's executions are not needed, so an
 * execution past its 90-day retention can be repaired too):
 * - only ConfirmOrder when the order reached SHIPPED, its parcel is live, its payment CHARGED and its
 *   stock RESERVED, and no compensation began (no shipment cancellation): its saga failed to confirm it;
 * - otherwise the compensations: CancelShipment while a parcel is live (or a shipment is attached and
 *   not cancelled), RefundPayment while the ledger or the provider says money is held or its outcome is
 *   unknown, ReleaseInventory while the reservation is RESERVED; RecordCancelled always.
 * Every step is idempotent by orderId, so a step wrongly found owed gives nothing back twice.
 * When the provider holds money the ledger would not let RefundPayment give back, or the order holds a
 * tracking id the carrier has no booking for (CancelShipment's ShipmentContradiction), `disagreement`
 * says so and no repair can settle the order.
 */
export const decideOwed = ({
  item,
  payment,
  reservation,
  paymentBook,
  shipmentBook,
}: OrderRecords): OwedDecision => {
  const history = Array.isArray(item.history) ? (item.history as { status?: unknown }[]) : [];
  const attached = item.shipment !== undefined && item.shipment !== null;
  const cancelled = typeof item.shipmentCancelledAt === 'string';
  const live = isLiveParcel(shipmentBook);
  const net = netChargedCents(paymentBook);
  const reserved = reservation?.status === 'RESERVED';
  if (
    history.some((entry) => entry.status === 'SHIPPED') &&
    attached &&
    !cancelled &&
    live &&
    payment?.status === 'CHARGED' &&
    reserved
  ) {
    return {
      owed: { confirm: true, cancelShipment: false, refund: false, release: false },
      because: ['shipped, charged and reserved: only ConfirmOrder is owed'],
    };
  }
  if (attached && !cancelled && shipmentBook.shipment === undefined) {
    return {
      owed: { confirm: false, cancelShipment: true, refund: false, release: false },
      because: [],
      disagreement:
        'the order holds a shipment the carrier has no booking for, so CancelShipment would fail (ShipmentContradiction)',
    };
  }
  if (net > 0 && !refundReachesProvider(payment)) {
    return {
      owed: { confirm: false, cancelShipment: false, refund: true, release: false },
      because: [],
      disagreement: `the provider holds ${net} cents but the ledger is ${payment === undefined ? 'missing' : payment.status === 'VOIDED' ? `VOIDED (${payment.voidOutcome ?? 'no outcome'})` : payment.status}${payment !== undefined && payment.status !== 'CHARGED' && payment.attempts === 0 ? ' with no charge call counted' : ''}, so RefundPayment would give nothing back`,
    };
  }
  const because: string[] = [];
  const cancelShipment = live || (attached && !cancelled);
  because.push(
    cancelShipment
      ? `CancelShipment (${live ? 'a parcel is live at the carrier' : 'a shipment is attached'})`
      : 'no live parcel',
  );
  const unknownOutcome =
    payment?.status === 'PENDING' || (payment?.status === 'VOIDED' && payment.voidOutcome === undefined);
  const refund = payment?.status === 'CHARGED' || unknownOutcome || net > 0;
  because.push(
    refund
      ? `RefundPayment (${payment?.status === 'CHARGED' ? `ledger CHARGED ${payment.amountCents} cents` : unknownOutcome ? `ledger ${payment?.status}, outcome unknown` : `the provider holds ${net} cents`})`
      : `nothing to refund (ledger ${payment?.status ?? 'none'}, provider net ${net})`,
  );
  because.push(
    reserved
      ? 'ReleaseInventory (stock RESERVED)'
      : `no stock held (reservation ${reservation?.status ?? 'none'})`,
  );
  return { owed: { confirm: false, cancelShipment, refund, release: reserved }, because };
};
