import { OrderflowError } from './index';

/**
 * Errors the saga's steps throw. Every `name` is a string literal because the state
 * machine's `Retry`/`Catch` match Lambda's `errorType`, which is `error.name`, and
 * minified bundles rename classes. Business errors are permanent (retrying cannot
 * change the outcome); the `*Error` names are transient and the state machine retries them.
 */

/** Business: the stock of one or more skus cannot cover the order. Leads to REJECTED. */
export class OutOfStock extends OrderflowError {
  readonly skus: readonly string[];

  constructor(shortages: readonly { sku: string; requested: number; available: number }[]) {
    super(
      shortages
        .map((s) => `sku ${s.sku} is out of stock (requested ${s.requested}, available ${s.available})`)
        .join('; '),
      'OutOfStock',
      true,
    );
    this.skus = shortages.map((s) => s.sku);
  }
}

/** Business: the order names skus the inventory does not know. Leads to REJECTED. */
export class UnknownSku extends OrderflowError {
  readonly skus: readonly string[];

  constructor(skus: readonly string[]) {
    super(`sku ${skus.join(', ')} is not in the inventory`, 'UnknownSku', true);
    this.skus = skus;
  }
}

/** A reservation that was released is never taken again: the order it belonged to was undone. */
export class ReservationReleased extends OrderflowError {
  constructor(orderId: string) {
    super(
      `the reservation of order ${orderId} was released and is not reserved again`,
      'ReservationReleased',
      true,
    );
  }
}

/** Business: the payment provider refused the charge. */
export class PaymentDeclined extends OrderflowError {
  constructor(message: string) {
    super(message, 'PaymentDeclined', true);
  }
}

/** Business: the payment method cannot cover the amount. */
export class InsufficientFunds extends OrderflowError {
  constructor(message: string) {
    super(message, 'InsufficientFunds', true);
  }
}

/** Transient: the payment provider did not answer or failed; the same idempotency key may be retried. */
export class PaymentGatewayError extends OrderflowError {
  constructor(message: string) {
    super(message, 'PaymentGatewayError', false);
  }
}

/** A charge was asked for an order whose payment was already refunded: it is never charged again. */
export class PaymentAlreadyRefunded extends OrderflowError {
  constructor(orderId: string) {
    super(
      `the payment of order ${orderId} was refunded and is not charged again`,
      'PaymentAlreadyRefunded',
      true,
    );
  }
}

/** A charge was asked for an order whose payment the compensation voided: it is never charged. */
export class PaymentVoided extends OrderflowError {
  constructor(orderId: string) {
    super(`the payment of order ${orderId} was voided and is not charged`, 'PaymentVoided', true);
  }
}

/** The ledger item is in a state the step cannot continue from (a concurrent writer disagreed). */
export class PaymentLedgerConflict extends OrderflowError {
  constructor(orderId: string, status: string) {
    super(
      `the payment of order ${orderId} is ${status}, which this step cannot continue from`,
      'PaymentLedgerConflict',
      true,
    );
  }
}

/** Business: the carrier does not deliver to the destination. */
export class ShippingError extends OrderflowError {
  constructor(message: string) {
    super(message, 'ShippingError', true);
  }
}

/** The order's shipment was cancelled by the compensation: it is never booked or attached again. */
export class ShipmentCancelled extends OrderflowError {
  constructor(orderId: string) {
    super(
      `the shipment of order ${orderId} was cancelled and is not booked again`,
      'ShipmentCancelled',
      true,
    );
  }
}

/**
 * The carrier has no booking for an order whose item holds a tracking id: our records and the
 * carrier's disagree, and a parcel may be on its way that nobody can cancel. A person must look.
 */
export class ShipmentContradiction extends OrderflowError {
  constructor(orderId: string, trackingId: string) {
    super(
      `the carrier has no booking for order ${orderId}, but the order holds tracking id ${trackingId}: ` +
        'check with the carrier whether the parcel exists',
      'ShipmentContradiction',
      true,
    );
  }
}

/** Transient: the carrier did not answer; the same idempotency key may be retried. */
export class CarrierGatewayError extends OrderflowError {
  constructor(message: string) {
    super(message, 'CarrierGatewayError', false);
  }
}

/** Transient: DynamoDB throttled or a transaction conflicted after the SDK's own retries. */
export class TransientStoreError extends OrderflowError {
  constructor(message: string) {
    super(message, 'TransientStoreError', false);
  }
}

/** A step would move an order to a status its current, settled status excludes (e.g. complete a cancelled order). */
export class OrderStatusConflict extends OrderflowError {
  constructor(orderId: string, status: string, wanted: string) {
    super(`order ${orderId} is ${status} and cannot become ${wanted}`, 'OrderStatusConflict', true);
  }
}

/**
 * The order already belongs to another saga execution (one started earlier, by the pipeline or by
 * hand): a second execution for it is refused before it runs a step, so each order has one saga.
 */
export class SagaAlreadyStarted extends OrderflowError {
  constructor(orderId: string, executionArn: string) {
    super(`order ${orderId} already has its saga: ${executionArn}`, 'SagaAlreadyStarted', true);
  }
}

/** The payload a step received is not a saga state (the state machine and the step disagree). */
export class InvalidSagaInput extends OrderflowError {
  constructor(message: string) {
    super(message, 'InvalidSagaInput', true);
  }
}

/**
 * Every error name a saga step may throw. The state machine test checks that each name in
 * an `ErrorEquals` is one of these, a Lambda service error or a `States.*` name.
 */
export const SAGA_ERROR_NAMES = [
  'OutOfStock',
  'UnknownSku',
  'ReservationReleased',
  'PaymentDeclined',
  'InsufficientFunds',
  'PaymentGatewayError',
  'PaymentAlreadyRefunded',
  'PaymentVoided',
  'PaymentLedgerConflict',
  'ShippingError',
  'ShipmentCancelled',
  'ShipmentContradiction',
  'CarrierGatewayError',
  'TransientStoreError',
  'OrderStatusConflict',
  'SagaAlreadyStarted',
  'InvalidSagaInput',
] as const;

export type SagaErrorName = (typeof SAGA_ERROR_NAMES)[number];
