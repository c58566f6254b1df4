import { SimulatedPaymentGateway } from '#shared/adapters/simulated-payment-gateway';
import type { ChargeRequest, PaymentGateway, RefundRequest } from '#shared/domain/ports';
import { chargePayment } from '#shared/domain/steps/charge-payment';
import { refundPayment } from '#shared/domain/steps/refund-payment';
import { fixedClock, InMemoryLedger, InMemoryOrders } from '../../helpers/saga-fakes';
import { buildOrder, sagaInput } from '../../helpers/saga-orders';

/** The simulated gateway, counting the calls that reach it. */
class CountingGateway implements PaymentGateway {
  readonly charges: ChargeRequest[] = [];
  readonly refunds: RefundRequest[] = [];
  private readonly inner = new SimulatedPaymentGateway();

  charge(request: ChargeRequest) {
    this.charges.push(request);
    return this.inner.charge(request);
  }

  refund(request: RefundRequest) {
    this.refunds.push(request);
    return this.inner.refund(request);
  }
}

const setup = (token = 'tok_visa') => {
  const ledger = new InMemoryLedger();
  const gateway = new CountingGateway();
  const orders = new InMemoryOrders();
  const input = sagaInput(buildOrder({ token }));
  orders.seed(input.order.orderId, 'RESERVED');
  return { ledger, gateway, orders, input, deps: { ledger, gateway, orders, clock: fixedClock() } };
};

describe('chargePayment', () => {
  it('charges the order total and records CHARGED in the ledger and on the order', async () => {
    // Arrange
    const { input, deps, ledger, orders } = setup();

    // Act
    const summary = await chargePayment(input, deps);

    // Assert
    expect(summary).toEqual({
      status: 'CHARGED',
      chargeId: `ch_${input.order.orderId}`,
      amountCents: input.order.totalCents,
      currency: 'EUR',
    });
    expect(ledger.items.get(input.order.orderId)).toMatchObject({ status: 'CHARGED', attempts: 1 });
    expect(orders.items.get(input.order.orderId)?.status).toBe('CHARGED');
  });

  it('returns the recorded charge when retried, without calling the gateway again', async () => {
    // Arrange
    const { input, deps, gateway } = setup();
    const first = await chargePayment(input, deps);

    // Act
    const second = await chargePayment(input, deps);

    // Assert
    expect(second).toEqual(first);
    expect(gateway.charges).toHaveLength(1);
  });

  it('records a decline and throws the same business error on every retry', async () => {
    // Arrange
    const { input, deps, gateway, ledger } = setup('tok_decline');
    await expect(chargePayment(input, deps)).rejects.toMatchObject({ name: 'PaymentDeclined' });

    // Act
    const retry = chargePayment(input, deps);

    // Assert
    await expect(retry).rejects.toMatchObject({ name: 'PaymentDeclined' });
    expect(gateway.charges).toHaveLength(1);
    expect(ledger.items.get(input.order.orderId)).toMatchObject({
      status: 'DECLINED',
      declineCode: 'PaymentDeclined',
    });
  });

  it('throws InsufficientFunds for tok_insufficient_funds', async () => {
    // Arrange
    const { input, deps } = setup('tok_insufficient_funds');

    // Act
    const attempt = chargePayment(input, deps);

    // Assert
    await expect(attempt).rejects.toMatchObject({ name: 'InsufficientFunds' });
  });

  it('fails tok_flaky twice with a transient error, counting attempts in the ledger, then charges once', async () => {
    // Arrange
    const { input, deps, ledger } = setup('tok_flaky');

    // Act
    const firstResult = await chargePayment(input, deps).catch((error: Error) => error.name);
    const secondResult = await chargePayment(input, deps).catch((error: Error) => error.name);
    const third = await chargePayment(input, deps);

    // Assert
    expect([firstResult, secondResult]).toEqual(['PaymentGatewayError', 'PaymentGatewayError']);
    expect(third.status).toBe('CHARGED');
    expect(ledger.items.get(input.order.orderId)).toMatchObject({ status: 'CHARGED', attempts: 3 });
  });

  it('never charges an order whose payment was refunded', async () => {
    // Arrange
    const { input, deps } = setup();
    await chargePayment(input, deps);
    await refundPayment(input, deps);

    // Act
    const attempt = chargePayment(input, deps);

    // Assert
    await expect(attempt).rejects.toMatchObject({ name: 'PaymentAlreadyRefunded' });
  });
});

describe('refundPayment', () => {
  it('refunds a charged order once however often it runs', async () => {
    // Arrange
    const { input, deps, gateway, ledger } = setup();
    await chargePayment(input, deps);

    // Act
    const first = await refundPayment(input, deps);
    const second = await refundPayment(input, deps);

    // Assert
    expect(first).toEqual({
      outcome: 'REFUNDED',
      refundId: `re_${input.order.orderId}`,
      amountCents: input.order.totalCents,
    });
    expect(second.outcome).toBe('ALREADY_REFUNDED');
    expect(gateway.refunds).toHaveLength(1);
    expect(ledger.items.get(input.order.orderId)?.status).toBe('REFUNDED');
  });

  it.each([
    ['no ledger item', null],
    ['a declined payment', 'tok_decline'],
    ['a payment still pending', 'tok_gateway_down'],
  ])('refunds nothing for %s', async (_label, token) => {
    // Arrange
    const { input, deps, gateway } = setup(token ?? 'tok_visa');
    if (token !== null) await chargePayment(input, deps).catch(() => undefined);

    // Act
    const result = await refundPayment(input, deps);

    // Assert
    expect(result).toEqual({ outcome: 'NOTHING_TO_REFUND', refundId: null, amountCents: 0 });
    expect(gateway.refunds).toHaveLength(0);
  });

  it('keeps the payment CHARGED while the refund gateway fails, and refunds on a later attempt', async () => {
    // Arrange
    const { input, deps, ledger } = setup('tok_refund_flaky');
    await chargePayment(input, deps);
    await expect(refundPayment(input, deps)).rejects.toMatchObject({ name: 'PaymentGatewayError' });
    await expect(refundPayment(input, deps)).rejects.toMatchObject({ name: 'PaymentGatewayError' });

    // Act
    const third = await refundPayment(input, deps);

    // Assert
    expect(third.outcome).toBe('REFUNDED');
    expect(ledger.items.get(input.order.orderId)).toMatchObject({ status: 'REFUNDED', refundAttempts: 3 });
  });
});
