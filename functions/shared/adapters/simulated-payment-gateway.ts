import type {
  ChargeRequest,
  ChargeResult,
  PaymentGateway,
  RefundRequest,
  VoidRequest,
  VoidResult,
} from '#shared/domain/ports';
import { PaymentGatewayError } from '#shared/errors/saga';

/** Charges above this many cents are declined as InsufficientFunds (100,000.00 in any currency). */
export const SIMULATED_FUNDS_LIMIT_CENTS = 10_000_000;

/** Failing attempts of the flaky tokens before they succeed. */
export const SIMULATED_FLAKY_FAILURES = 2;

export interface SimulatedCharge {
  readonly chargeId: string;
  readonly amountCents: number;
  readonly currency: string;
}

export interface SimulatedRefund {
  readonly refundId: string;
  readonly amountCents: number;
}

/**
 * The simulated provider's own books, per idempotency key (the orderId): what it charged,
 * what it refunded, and which keys were voided before any charge. They, not our ledger, say
 * whether money was taken. The books live in process memory: every gateway of one process
 * (tests, the local runtime) shares the default books; deployed, each function instance has
 * its own, so there they only answer for calls made by that instance.
 */
export class SimulatedPaymentProvider {
  private readonly charges = new Map<string, SimulatedCharge>();
  private readonly refunds = new Map<string, SimulatedRefund>();
  private readonly voided = new Set<string>();

  chargeOf(key: string): SimulatedCharge | undefined {
    return this.charges.get(key);
  }

  refundOf(key: string): SimulatedRefund | undefined {
    return this.refunds.get(key);
  }

  isVoided(key: string): boolean {
    return this.voided.has(key);
  }

  /** Money the provider holds for the key: charged minus refunded. */
  netChargedCents(key: string): number {
    return (this.charges.get(key)?.amountCents ?? 0) - (this.refunds.get(key)?.amountCents ?? 0);
  }

  /** Takes the money once per key. */
  take(key: string, amountCents: number, currency: string): SimulatedCharge {
    const charge = this.charges.get(key) ?? { chargeId: `ch_${key}`, amountCents, currency };
    this.charges.set(key, charge);
    return charge;
  }

  /** Gives back the key's charge once (the requested amount when these books never saw the charge). */
  giveBack(key: string, amountCents: number): SimulatedRefund {
    const refund = this.refunds.get(key) ?? {
      refundId: `re_${key}`,
      amountCents: this.charges.get(key)?.amountCents ?? amountCents,
    };
    this.refunds.set(key, refund);
    return refund;
  }

  /** No charge is ever taken for the key after this. */
  voidKey(key: string): void {
    this.voided.add(key);
  }
}

/** The books every SimulatedPaymentGateway of this process uses unless it is given its own. */
export const simulatedPaymentProvider = new SimulatedPaymentProvider();

const failRefundLike = (token: string, attempt: number, what: string): void => {
  if (token === 'tok_refund_down') throw new PaymentGatewayError(`${what} unavailable (tok_refund_down)`);
  if (token === 'tok_refund_flaky' && attempt <= SIMULATED_FLAKY_FAILURES) {
    throw new PaymentGatewayError(`${what} timed out (tok_refund_flaky, attempt ${attempt})`);
  }
};

/**
 * A payment provider whose every answer follows from the request and its books, so tests and
 * demos are reproducible (attempt numbers come from the ledger, not from memory):
 *
 * | token                    | charge                                                   | refund / void                  |
 * |--------------------------|----------------------------------------------------------|--------------------------------|
 * | `tok_decline`            | PaymentDeclined                                          | –                              |
 * | `tok_insufficient_funds` | InsufficientFunds                                        | –                              |
 * | any, amount > 10,000,000 | InsufficientFunds                                        | –                              |
 * | `tok_flaky`              | PaymentGatewayError on attempts 1–2, then charged        | refunded                       |
 * | `tok_gateway_down`       | PaymentGatewayError on every attempt (nothing taken)     | –                              |
 * | `tok_charge_timeout`     | charged, then PaymentGatewayError on every attempt       | refunded                       |
 * | `tok_refund_flaky`       | charged                                                  | PaymentGatewayError on 1–2     |
 * | `tok_refund_down`        | charged                                                  | PaymentGatewayError always     |
 * | anything else            | charged                                                  | refunded                       |
 *
 * Charge ids are `ch_<idempotency key>` and refund ids `re_<idempotency key>` (the key is the
 * orderId); a key is charged at most once. A void refunds the key's charge when the books hold
 * one, and otherwise voids the key: nothing was taken, and every later charge for the key is
 * declined (PaymentDeclined). A void that fails (the refund tokens) means the provider cannot tell.
 */
export class SimulatedPaymentGateway implements PaymentGateway {
  constructor(private readonly provider: SimulatedPaymentProvider = simulatedPaymentProvider) {}

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const { idempotencyKey: key, token, amountCents, currency, attempt } = request;
    if (this.provider.isVoided(key)) {
      return { outcome: 'declined', code: 'PaymentDeclined', reason: `the payment ${key} was voided` };
    }
    const previous = this.provider.chargeOf(key);
    if (previous) {
      if (token === 'tok_charge_timeout') throw this.lostAnswer(attempt);
      return { outcome: 'charged', chargeId: previous.chargeId };
    }
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
    const { chargeId } = this.provider.take(key, amountCents, currency);
    if (token === 'tok_charge_timeout') throw this.lostAnswer(attempt);
    return { outcome: 'charged', chargeId };
  }

  async refund(request: RefundRequest): Promise<{ refundId: string }> {
    const previous = this.provider.refundOf(request.idempotencyKey);
    if (previous) return { refundId: previous.refundId };
    failRefundLike(request.token, request.attempt, 'refunds');
    return { refundId: this.provider.giveBack(request.idempotencyKey, request.amountCents).refundId };
  }

  async voidCharge(request: VoidRequest): Promise<VoidResult> {
    const { idempotencyKey: key } = request;
    const previous = this.provider.refundOf(key);
    if (previous) return { outcome: 'refunded', refundId: previous.refundId };
    failRefundLike(request.token, request.attempt, 'voids');
    if (this.provider.chargeOf(key)) {
      return { outcome: 'refunded', refundId: this.provider.giveBack(key, request.amountCents).refundId };
    }
    this.provider.voidKey(key);
    return { outcome: 'not-charged' };
  }

  private lostAnswer(attempt: number): PaymentGatewayError {
    return new PaymentGatewayError(
      `payment gateway timed out after taking the charge (tok_charge_timeout, attempt ${attempt})`,
    );
  }
}
