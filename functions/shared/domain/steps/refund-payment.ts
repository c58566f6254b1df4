import type { Clock, PaymentGateway, PaymentLedgerPort, PaymentRecord } from '../ports';
import type { RefundSummary, SagaInput } from '../saga-state';

export interface RefundPaymentDeps {
  readonly ledger: PaymentLedgerPort;
  readonly gateway: PaymentGateway;
  readonly clock: Clock;
}

const NOTHING: RefundSummary = { outcome: 'NOTHING_TO_REFUND', refundId: null, amountCents: 0 };

/**
 * Gives back whatever the order's payment took, once.
 * - CHARGED: refunds the charge (CHARGED → REFUNDED).
 * - DECLINED: nothing was taken.
 * - PENDING or no item: the outcome is unknown (a gateway call timed out, or the Lambda was cut
 *   off mid-call, or the charge step is still running). The payment becomes VOIDED first, so no
 *   charge call or charge result can be recorded after this; then the gateway is asked to void
 *   the charge by orderId, and refunds it if it had taken it. With no charge call counted, the
 *   gateway was never asked and is not asked now. A gateway that cannot tell throws, so the
 *   state machine retries and, in the end, hands the order to a person.
 * The gateway's refund and void are idempotent per orderId, so a retry after a lost ledger
 * write gives nothing back twice.
 */
export const refundPayment = async (input: SagaInput, deps: RefundPaymentDeps): Promise<RefundSummary> => {
  const { order } = input;
  const { ledger, clock } = deps;
  const record = await ledger.get(order.orderId);

  switch (record?.status) {
    case 'REFUNDED':
      return {
        outcome: 'ALREADY_REFUNDED',
        refundId: record.refundId ?? null,
        amountCents: record.amountCents,
      };
    case 'DECLINED':
      return NOTHING;
    case 'CHARGED':
      return refundCharge(input, deps, record);
    case 'VOIDED':
      if (record.voidOutcome === 'REFUNDED') {
        return {
          outcome: 'ALREADY_REFUNDED',
          refundId: record.refundId ?? null,
          amountCents: record.amountCents,
        };
      }
      if (record.voidOutcome === 'NOT_CHARGED') return NOTHING;
      return settleVoid(input, deps, record);
    default: {
      const voided = await ledger.markVoided(
        order.orderId,
        order.totalCents,
        order.currency,
        clock.now().toISOString(),
      );
      // The charge step settled the payment in between (CHARGED or DECLINED): decide again.
      if (voided.status !== 'VOIDED') return refundPayment(input, deps);
      return settleVoid(input, deps, voided);
    }
  }
};

const refundCharge = async (
  input: SagaInput,
  deps: RefundPaymentDeps,
  record: PaymentRecord,
): Promise<RefundSummary> => {
  const { order } = input;
  const { ledger, gateway, clock } = deps;
  if (!record.chargeId) return NOTHING;
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

/** Asks the gateway to undo a VOIDED payment's unknown charge and records its answer. */
const settleVoid = async (
  input: SagaInput,
  deps: RefundPaymentDeps,
  record: PaymentRecord,
): Promise<RefundSummary> => {
  const { order } = input;
  const { ledger, gateway, clock } = deps;
  if (record.attempts === 0) {
    // No charge call was ever counted, and none can be now that the payment is VOIDED.
    await ledger.settleVoid(order.orderId, 'NOT_CHARGED', undefined, clock.now().toISOString());
    return NOTHING;
  }
  const attempt = await ledger.countVoidAttempt(order.orderId, clock.now().toISOString());
  if (attempt === undefined) return refundPayment(input, deps);

  const result = await gateway.voidCharge({
    idempotencyKey: order.orderId,
    token: order.payment.token,
    amountCents: record.amountCents,
    attempt,
  });
  const refundId = result.outcome === 'refunded' ? result.refundId : undefined;
  await ledger.settleVoid(
    order.orderId,
    refundId === undefined ? 'NOT_CHARGED' : 'REFUNDED',
    refundId,
    clock.now().toISOString(),
  );
  return refundId === undefined
    ? NOTHING
    : { outcome: 'REFUNDED', refundId, amountCents: record.amountCents };
};
