import {
  InsufficientFunds,
  PaymentAlreadyRefunded,
  PaymentDeclined,
  PaymentLedgerConflict,
  PaymentVoided,
} from '#shared/errors/saga';
import type {
  Clock,
  DeclineCode,
  OrderRepository,
  PaymentGateway,
  PaymentLedgerPort,
  PaymentRecord,
} from '../ports';
import type { PaymentSummary, SagaInput } from '../saga-state';

export interface ChargePaymentDeps {
  readonly ledger: PaymentLedgerPort;
  readonly gateway: PaymentGateway;
  readonly orders: OrderRepository;
  readonly clock: Clock;
}

const declineError = (code: DeclineCode | undefined, reason: string): Error =>
  code === 'InsufficientFunds' ? new InsufficientFunds(reason) : new PaymentDeclined(reason);

const summary = (record: PaymentRecord, chargeId: string): PaymentSummary => ({
  status: 'CHARGED',
  chargeId,
  amountCents: record.amountCents,
  currency: record.currency,
});

/**
 * Charges the order once. The ledger item (PENDING → CHARGED | DECLINED) sits in front of
 * the gateway: a retried step finds CHARGED and returns it, finds DECLINED and throws the
 * same business error, finds REFUNDED or VOIDED and refuses, and otherwise calls the gateway
 * with the orderId as idempotency key, so even two calls racing past the ledger make one
 * charge. A charge whose result lands after RefundPayment voided the payment is not recorded
 * (PaymentLedgerConflict); the void has the gateway give that money back.
 */
export const chargePayment = async (input: SagaInput, deps: ChargePaymentDeps): Promise<PaymentSummary> => {
  const { order } = input;
  const { ledger, gateway, orders, clock } = deps;
  const record = await ledger.open(
    order.orderId,
    order.totalCents,
    order.currency,
    clock.now().toISOString(),
  );

  if (record.status === 'CHARGED' && record.chargeId) {
    await orders.transition(order.orderId, 'CHARGED', clock.now().toISOString());
    return summary(record, record.chargeId);
  }
  if (record.status === 'DECLINED') {
    throw declineError(
      record.declineCode,
      record.declineReason ?? `payment of order ${order.orderId} was declined`,
    );
  }
  if (record.status === 'REFUNDED') throw new PaymentAlreadyRefunded(order.orderId);
  // The compensation gave up on this payment: a late retry or redrive must not charge after the void.
  if (record.status === 'VOIDED') throw new PaymentVoided(order.orderId);

  const attempt = await ledger.countChargeAttempt(order.orderId, clock.now().toISOString());
  // Another call moved the item on from PENDING in between: decide again from what it wrote.
  if (attempt === undefined) return chargePayment(input, deps);

  const result = await gateway.charge({
    idempotencyKey: order.orderId,
    token: order.payment.token,
    amountCents: order.totalCents,
    currency: order.currency,
    attempt,
  });

  if (result.outcome === 'declined') {
    const declined = await ledger.markDeclined(
      order.orderId,
      result.code,
      result.reason,
      clock.now().toISOString(),
    );
    if (declined.status !== 'DECLINED') throw new PaymentLedgerConflict(order.orderId, declined.status);
    throw declineError(result.code, result.reason);
  }

  const charged = await ledger.markCharged(order.orderId, result.chargeId, clock.now().toISOString());
  if (charged.status !== 'CHARGED' || !charged.chargeId) {
    throw new PaymentLedgerConflict(order.orderId, charged.status);
  }
  await orders.transition(order.orderId, 'CHARGED', clock.now().toISOString());
  return summary(charged, charged.chargeId);
};
