import type { ChargeRequest, ChargeResult, PaymentGateway, RefundRequest } from '#shared/domain/ports';
import { PaymentGatewayError } from '#shared/errors/saga';

/** Charges above this many cents are declined as InsufficientFunds (100,000.00 in any currency). */
export const SIMULATED_FUNDS_LIMIT_CENTS = 10_000_000;

/** Failing attempts of the flaky tokens before they succeed. */
export const SIMULATED_FLAKY_FAILURES = 2;

/**
 * A payment provider whose every answer follows from the request, so tests and demos are
 * reproducible across processes (attempt numbers come from the ledger, not from memory):
 *
 * | token                    | charge                                             | refund                         |
 * |--------------------------|----------------------------------------------------|--------------------------------|
 * | `tok_decline`            | PaymentDeclined                                    | –                              |
 * | `tok_insufficient_funds` | InsufficientFunds                                  | –                              |
 * | any, amount > 10,000,000 | InsufficientFunds                                  | –                              |
 * | `tok_flaky`              | PaymentGatewayError on attempts 1–2, then charged  | refunded                       |
 * | `tok_gateway_down`       | PaymentGatewayError on every attempt               | –                              |
 * | `tok_refund_flaky`       | charged                                            | PaymentGatewayError on 1–2     |
 * | `tok_refund_down`        | charged                                            | PaymentGatewayError always     |
 * | anything else            | charged                                            | refunded                       |
 *
 * Charge ids are `ch_<idempotency key>` and refund ids `re_<idempotency key>` (the key is the
 * orderId), so the same key always names the same charge: the provider is idempotent per key.
 */
export class SimulatedPaymentGateway implements PaymentGateway {
  private readonly charged = new Map<string, string>();
  private readonly refunded = new Map<string, string>();

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const previous = this.charged.get(request.idempotencyKey);
    if (previous) return { outcome: 'charged', chargeId: previous };
    const { token, amountCents, currency, attempt } = request;
    if (token === 'tok_decline')
      return { outcome: 'declined', code: 'PaymentDeclined', reason: 'card declined (tok_decline)' };
    if (token === 'tok_insufficient_funds') {
      return {
        outcome: 'declined',
        code: 'InsufficientFunds',
        reason: 'insufficient funds (tok_insufficient_funds)',
      };
    }
    if (amountCents > SIMULATED_FUNDS_LIMIT_CENTS) {
      return {
        outcome: 'declined',
        code: 'InsufficientFunds',
        reason: `insufficient funds for ${amountCents} ${currency} cents (limit ${SIMULATED_FUNDS_LIMIT_CENTS})`,
      };
    }
    if (token === 'tok_gateway_down')
      throw new PaymentGatewayError('payment gateway unavailable (tok_gateway_down)');
    if (token === 'tok_flaky' && attempt <= SIMULATED_FLAKY_FAILURES) {
      throw new PaymentGatewayError(`payment gateway timed out (tok_flaky, attempt ${attempt})`);
    }
    const chargeId = `ch_${request.idempotencyKey}`;
    this.charged.set(request.idempotencyKey, chargeId);
    return { outcome: 'charged', chargeId };
  }

  async refund(request: RefundRequest): Promise<{ refundId: string }> {
    const previous = this.refunded.get(request.idempotencyKey);
    if (previous) return { refundId: previous };
    if (request.token === 'tok_refund_down')
      throw new PaymentGatewayError('refunds unavailable (tok_refund_down)');
    if (request.token === 'tok_refund_flaky' && request.attempt <= SIMULATED_FLAKY_FAILURES) {
      throw new PaymentGatewayError(`refund timed out (tok_refund_flaky, attempt ${request.attempt})`);
    }
    const refundId = `re_${request.idempotencyKey}`;
    this.refunded.set(request.idempotencyKey, refundId);
    return { refundId };
  }
}
