import type { OrderItem, OrderPlaced } from '#shared/schemas/order-placed';
import type { HistoryEntry, OrderStatus, TransitionResult } from './order-status';

/**
 * The ports the saga's domain logic talks through. Adapters in functions/shared/adapters
 * implement them with DynamoDB, SNS and simulated providers; unit tests implement them in memory.
 */

export interface Clock {
  now(): Date;
}

export interface ReservationLine {
  readonly sku: string;
  readonly quantity: number;
}

export type ReservationStatus = 'RESERVED' | 'RELEASED';

export type Reservation =
  | {
      readonly orderId: string;
      readonly lines: readonly ReservationLine[];
      readonly status: 'RESERVED';
      readonly reservedAt: string;
    }
  | {
      readonly orderId: string;
      /** Empty on a release marker. */
      readonly lines: readonly ReservationLine[];
      readonly status: 'RELEASED';
      /** Absent on a release marker: the order was released before anything was reserved. */
      readonly reservedAt?: string;
      readonly releasedAt?: string;
    };

export type ReleaseOutcome = 'RELEASED' | 'ALREADY_RELEASED' | 'NOTHING_TO_RELEASE';

export interface InventoryPort {
  /**
   * Takes the stock of every line and records the reservation in one transaction. Returns
   * the existing reservation (created: false) when the order already has one, whatever its status.
   * Throws OutOfStock or UnknownSku without changing any stock.
   */
  reserve(
    orderId: string,
    lines: readonly ReservationLine[],
    at: string,
  ): Promise<{
    readonly reservation: Reservation;
    readonly created: boolean;
  }>;
  /**
   * Gives back what the order reserved, once: RESERVED → RELEASED plus the stock, in one transaction.
   * An order with no reservation gets a release marker (RELEASED, no lines), so a reservation
   * still in flight finds it and takes nothing (NOTHING_TO_RELEASE).
   */
  release(
    orderId: string,
    at: string,
  ): Promise<{ readonly outcome: ReleaseOutcome; readonly lines: readonly ReservationLine[] }>;
}

/**
 * PENDING → CHARGED → REFUNDED, PENDING → DECLINED, and (no item or PENDING) → VOIDED: the
 * compensation gave up on a charge whose outcome it does not know; no charge may start or
 * land after that, and the gateway is asked to undo whatever it did for the order.
 */
export type PaymentStatus = 'PENDING' | 'CHARGED' | 'DECLINED' | 'REFUNDED' | 'VOIDED';
/** What the gateway said when a VOIDED payment was settled: it had taken the money (and refunded it), or not. */
export type VoidOutcome = 'REFUNDED' | 'NOT_CHARGED';
export type DeclineCode = 'PaymentDeclined' | 'InsufficientFunds';

export interface PaymentRecord {
  readonly orderId: string;
  readonly amountCents: number;
  readonly currency: string;
  readonly status: PaymentStatus;
  /** Gateway charge calls made for this order (the simulated gateway's flaky rule counts them). */
  readonly attempts: number;
  readonly refundAttempts: number;
  readonly chargeId?: string;
  readonly refundId?: string;
  readonly declineCode?: DeclineCode;
  readonly declineReason?: string;
  readonly voidedAt?: string;
  /** Set once the gateway answered the void; absent while a VOIDED payment is still being settled. */
  readonly voidOutcome?: VoidOutcome;
  readonly updatedAt: string;
}

/** The ledger item a payment starts as: PENDING, nothing attempted yet. */
export const newPaymentRecord = (
  orderId: string,
  amountCents: number,
  currency: string,
  at: string,
): PaymentRecord => ({
  orderId,
  amountCents,
  currency,
  status: 'PENDING',
  attempts: 0,
  refundAttempts: 0,
  updatedAt: at,
});

export interface PaymentLedgerPort {
  get(orderId: string): Promise<PaymentRecord | undefined>;
  /** Creates the PENDING item if the order has none; returns the order's item either way. */
  open(orderId: string, amountCents: number, currency: string, at: string): Promise<PaymentRecord>;
  /** Counts one charge call while PENDING; undefined when the item is no longer PENDING. */
  countChargeAttempt(orderId: string, at: string): Promise<number | undefined>;
  /** PENDING → CHARGED; returns the item as it is afterwards (another status if it was not PENDING). */
  markCharged(orderId: string, chargeId: string, at: string): Promise<PaymentRecord>;
  /** PENDING → DECLINED; returns the item as it is afterwards. */
  markDeclined(orderId: string, code: DeclineCode, reason: string, at: string): Promise<PaymentRecord>;
  /** Counts one refund call while CHARGED; undefined when the item is no longer CHARGED. */
  countRefundAttempt(orderId: string, at: string): Promise<number | undefined>;
  /** CHARGED → REFUNDED; returns the item as it is afterwards. */
  markRefunded(orderId: string, refundId: string, at: string): Promise<PaymentRecord>;
  /**
   * No item or PENDING → VOIDED (a new item gets 0 attempts), so neither a charge call nor a
   * charge result can be recorded afterwards; returns the item as it is afterwards.
   */
  markVoided(orderId: string, amountCents: number, currency: string, at: string): Promise<PaymentRecord>;
  /** Counts one void call while VOIDED (in refundAttempts); undefined when the item is not VOIDED. */
  countVoidAttempt(orderId: string, at: string): Promise<number | undefined>;
  /** Records the gateway's answer to the void, once; returns the item as it is afterwards. */
  settleVoid(
    orderId: string,
    outcome: VoidOutcome,
    refundId: string | undefined,
    at: string,
  ): Promise<PaymentRecord>;
}

export interface ChargeRequest {
  /** The same key always means the same charge: the gateway never charges a key twice. */
  readonly idempotencyKey: string;
  readonly token: string;
  readonly amountCents: number;
  readonly currency: string;
  /** 1 for the first call for this order, counted in the ledger so it survives restarts. */
  readonly attempt: number;
}

export type ChargeResult =
  | { readonly outcome: 'charged'; readonly chargeId: string }
  | { readonly outcome: 'declined'; readonly code: DeclineCode; readonly reason: string };

export interface RefundRequest {
  readonly idempotencyKey: string;
  readonly chargeId: string;
  readonly token: string;
  readonly amountCents: number;
  readonly attempt: number;
}

export interface VoidRequest {
  /** The charge's idempotency key (the orderId): the provider looks up what it did for it. */
  readonly idempotencyKey: string;
  readonly token: string;
  readonly amountCents: number;
  readonly attempt: number;
}

export type VoidResult =
  | { readonly outcome: 'refunded'; readonly refundId: string }
  | { readonly outcome: 'not-charged' };

export interface PaymentGateway {
  /** Declines are results; PaymentGatewayError is thrown for transient failures. */
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /** Idempotent per key; throws PaymentGatewayError for transient failures. */
  refund(request: RefundRequest): Promise<{ readonly refundId: string }>;
  /**
   * Undoes whatever the provider did for a key whose charge outcome we never learnt: refunds the
   * charge it took, or (it took none) makes sure it never takes one for that key. Idempotent per
   * key. Throws PaymentGatewayError when the provider cannot answer or cannot tell.
   */
  voidCharge(request: VoidRequest): Promise<VoidResult>;
}

export interface Shipment {
  readonly trackingId: string;
  readonly carrier: string;
}

export interface ShipmentRequest {
  readonly idempotencyKey: string;
  readonly orderId: string;
  readonly shipTo: OrderPlaced['shipTo'];
  readonly items: readonly OrderItem[];
}

export type CarrierCancellation =
  | { readonly outcome: 'cancelled'; readonly trackingId: string }
  | { readonly outcome: 'not-booked' };

export interface Carrier {
  /**
   * Idempotent per key; throws ShippingError (permanent) or CarrierGatewayError (transient).
   * A key whose booking was cancelled is never booked again (ShippingError).
   */
  createShipment(request: ShipmentRequest): Promise<Shipment>;
  /**
   * Cancels the order's booking (the key is the orderId), whether or not we ever learnt of it;
   * with none, makes sure none is made for it later. Idempotent; throws CarrierGatewayError
   * (transient) when the carrier does not answer.
   */
  cancel(orderId: string): Promise<CarrierCancellation>;
}

/** An order as the saga accepts it: validated, with its content hash and correlation id. */
export interface AcceptedOrder {
  readonly order: OrderPlaced;
  readonly contentHash: string;
  readonly correlationId: string;
}

export interface OrderRecord {
  readonly orderId: string;
  readonly status?: OrderStatus;
  readonly statusReason?: string;
  readonly shipment?: Shipment;
  /** Set by CancelShipment: no shipment is attached or booked for the order after this. */
  readonly shipmentCancelledAt?: string;
  /** The saga execution that owns the order (the one process-order started, or one started by hand). */
  readonly sagaExecutionArn?: string;
  readonly history: readonly HistoryEntry[];
}

export interface OrderRepository {
  get(orderId: string): Promise<OrderRecord | undefined>;
  /**
   * Records the order as process-order does (RECEIVED, its content and content hash) unless it is
   * there, and links it to `executionArn` unless another execution owns it. Throws
   * ConflictingDuplicate when the orderId holds other content, SagaAlreadyStarted when another
   * execution owns the order. Idempotent for the same order and execution.
   */
  receive(accepted: AcceptedOrder, executionArn: string, at: string): Promise<void>;
  /**
   * Sets the status when `canTransition` allows it and appends {status, at, reason, by} to the
   * history; otherwise changes nothing and reports the current status. With `by`, a write whose
   * answer was lost is recognised on the retry (the last entry is this status, by the same writer)
   * and reported as changed, so a step that counts what it changed counts it once, not never.
   */
  transition(
    orderId: string,
    status: OrderStatus,
    at: string,
    reason?: string,
    by?: string,
  ): Promise<TransitionResult>;
  /**
   * Stores the order's shipment unless it has one; returns the stored one (the first wins).
   * Throws ShipmentCancelled when the order's shipment was cancelled.
   */
  attachShipment(orderId: string, shipment: Shipment, at: string): Promise<Shipment>;
  /**
   * Marks the order's shipment cancelled (the first time is kept), so a later attachShipment
   * fails; returns the order as it is afterwards.
   */
  cancelShipment(orderId: string, at: string): Promise<OrderRecord>;
}

export interface OrderCompletedNotification {
  readonly eventType: 'OrderCompleted';
  readonly orderId: string;
  readonly customerId: string;
  readonly totalCents: number;
  readonly currency: string;
  readonly trackingId?: string;
  readonly completedAt: string;
  readonly correlationId: string;
}

export interface Notifier {
  publish(notification: OrderCompletedNotification): Promise<void>;
}
