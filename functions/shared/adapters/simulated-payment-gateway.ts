import type {
  ChargeRequest,
  ChargeResult,
  PaymentGateway,
  RefundRequest,
  VoidRequest,
  VoidResult,
} from '#shared/domain/ports';
import { OrderflowError } from '#shared/errors/index';
import { PaymentGatewayError } from '#shared/errors/saga';
import type { ProviderBooks } from './provider-books';

/** Charges above this many cents are declined as InsufficientFunds (100,000.00 in any currency). */
export const SIMULATED_FUNDS_LIMIT_CENTS = 10_000_000;

/** Failing attempts of the flaky tokens before they succeed. */
export const SIMULATED_FLAKY_FAILURES = 2;

/** The provider's clock: its books record when it did what. */
const now = (): string => new Date().toISOString();

/**
 * A call to the books failed: to the caller, the provider did not answer (a transient gateway error,
 * retried by the state machine). An answer lost after the write landed is found in the books on the
 * next attempt, as with a real provider's idempotency keys.
 */
const unanswered = async <T>(call: () => Promise<T>): Promise<T> => {
  try {
    return await call();
  } catch (error) {
    if (error instanceof OrderflowError) throw error;
    throw new PaymentGatewayError(
      `the payment provider did not answer: ${(error as Error).name}: ${(error as Error).message}`,
    );
  }
};

const failRefundLike = (token: string, attempt: number, what: string): void => {
  if (token === 'tok_refund_down') throw new PaymentGatewayError(`${what} unavailable (tok_refund_down)`);
  if (token === 'tok_refund_flaky' && attempt <= SIMULATED_FLAKY_FAILURES) {
    throw new PaymentGatewayError(`${what} timed out (tok_refund_flaky, attempt ${attempt})`);
  }
};

/**
 * A payment provider whose every answer follows from the request and its books (a DynamoDB table
 * shared by every function, locally and deployed), so tests and demos are reproducible (attempt
 * numbers come from the ledger, not from memory):
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
 * A failed call to the books is the provider not answering (PaymentGatewayError).
 */
export class SimulatedPaymentGateway implements PaymentGateway {
  constructor(private readonly books: ProviderBooks) {}

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const { idempotencyKey: key, token, amountCents, currency, attempt } = request;
    const book = await unanswered(() => this.books.payment(key));
    if (book.charge) {
      if (token === 'tok_charge_timeout') throw this.lostAnswer(attempt);
      return { outcome: 'charged', chargeId: book.charge.chargeId };
    }
    if (book.voidedAt !== undefined) return this.voided(key);
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
    const taken = await unanswered(() =>
      this.books.takeCharge(key, { chargeId: `ch_${key}`, amountCents, currency }, now()),
    );
    // A void landed first: the key is never charged.
    if (!taken.charge) return this.voided(key);
    if (token === 'tok_charge_timeout') throw this.lostAnswer(attempt);
    return { outcome: 'charged', chargeId: taken.charge.chargeId };
  }

  /** During a refunds outage the provider answers no refund or void at all. */
  private async refundsAnswered(what: string): Promise<void> {
    const outage = await unanswered(() => this.books.outage('refunds'));
    if (outage) {
      throw new PaymentGatewayError(`${what} unavailable (simulated refunds outage since ${outage.since})`);
    }
  }

  async refund(request: RefundRequest): Promise<{ refundId: string }> {
    const { idempotencyKey: key } = request;
    await this.refundsAnswered('refunds');
    const book = await unanswered(() => this.books.payment(key));
    if (book.refund) return { refundId: book.refund.refundId };
    failRefundLike(request.token, request.attempt, 'refunds');
    const given = await unanswered(() =>
      this.books.giveBack(
        key,
        { refundId: `re_${key}`, amountCents: book.charge?.amountCents ?? request.amountCents },
        now(),
      ),
    );
    return { refundId: given.refund?.refundId ?? `re_${key}` };
  }

  async voidCharge(request: VoidRequest): Promise<VoidResult> {
    const { idempotencyKey: key } = request;
    await this.refundsAnswered('voids');
    const book = await unanswered(() => this.books.payment(key));
    if (book.refund) return { outcome: 'refunded', refundId: book.refund.refundId };
    failRefundLike(request.token, request.attempt, 'voids');
    const voided = await unanswered(() => this.books.voidUnlessCharged(key, now()));
    if (!voided.charge) return { outcome: 'not-charged' };
    const { charge } = voided;
    const given = await unanswered(() =>
      this.books.giveBack(key, { refundId: `re_${key}`, amountCents: charge.amountCents }, now()),
    );
    return { outcome: 'refunded', refundId: given.refund?.refundId ?? `re_${key}` };
  }

  private voided(key: string): ChargeResult {
    return { outcome: 'declined', code: 'PaymentDeclined', reason: `the payment ${key} was voided` };
  }

  private lostAnswer(attempt: number): PaymentGatewayError {
    return new PaymentGatewayError(
      `payment gateway timed out after taking the charge (tok_charge_timeout, attempt ${attempt})`,
    );
  }
}
