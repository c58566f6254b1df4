import type { Clock, PaymentGateway, PaymentLedgerPort } from '../ports';
import type { RefundSummary, SagaInput } from '../saga-state';

export interface RefundPaymentDeps {
  readonly ledger: PaymentLedgerPort;
  readonly gateway: PaymentGateway;
  readonly clock: Clock;
}

/**
 * Refunds only what was charged, once. PENDING, DECLINED or no ledger item: no money moved
 * through the ledger, so there is nothing to refund. The gateway refund is idempotent per
 * orderId, so a retry after a lost CHARGED → REFUNDED write refunds nothing twice.
 */
export const refundPayment = async (input: SagaInput, deps: RefundPaymentDeps): Promise<RefundSummary> => {
  const { order } = input;
  const { ledger, gateway, clock } = deps;
  const record = await ledger.get(order.orderId);

  if (record?.status === 'REFUNDED') {
    return {
      outcome: 'ALREADY_REFUNDED',
      refundId: record.refundId ?? null,
      amountCents: record.amountCents,
    };
  }
  if (record?.status !== 'CHARGED' || !record.chargeId) {
    return { outcome: 'NOTHING_TO_REFUND', refundId: null, amountCents: 0 };
  }

  const attempt = await ledger.countRefundAttempt(order.orderId, clock.now().toISOString());
  // The item left CHARGED in between (a concurrent refund finished): report what it says now.
  if (attempt === undefined) return refundPayment(input, deps);

  const { refundId } = await gateway.refund({
    idempotencyKey: order.orderId,
    chargeId: record.chargeId,
    token: order.payment.token,
    amountCents: record.amountCents,
    attempt,
  });
  const refunded = await ledger.markRefunded(order.orderId, refundId, clock.now().toISOString());
  if (refunded.status !== 'REFUNDED') return refundPayment(input, deps);
  return { outcome: 'REFUNDED', refundId: refunded.refundId ?? refundId, amountCents: refunded.amountCents };
};
