import { SimulatedPaymentGateway } from '#shared/adapters/simulated-payment-gateway';
import type { ChargeRequest, PaymentGateway, RefundRequest, VoidRequest } from '#shared/domain/ports';
import { chargePayment } from '#shared/domain/steps/charge-payment';
import { refundPayment } from '#shared/domain/steps/refund-payment';
import { fixedClock, InMemoryLedger, InMemoryOrders, InMemoryProviderBooks } from '../../helpers/saga-fakes';
import { buildOrder, sagaInput } from '../../helpers/saga-orders';

/** The simulated gateway with books of its own, counting the calls that reach it. */
class CountingGateway implements PaymentGateway {
  readonly charges: ChargeRequest[] = [];
  readonly refunds: RefundRequest[] = [];
  readonly voids: VoidRequest[] = [];
  readonly provider = new InMemoryProviderBooks();
  private readonly inner = new SimulatedPaymentGateway(this.provider);

  charge(request: ChargeRequest) {
    this.charges.push(request);
    return this.inner.charge(request);
  }

  refund(request: RefundRequest) {
    this.refunds.push(request);
    return this.inner.refund(request);
  }

  voidCharge(request: VoidRequest) {
    this.voids.push(request);
    return this.inner.voidCharge(request);
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

/** ChargePayment as the state machine runs it on PaymentGatewayError: five attempts, then the Catch. */
const chargeUntilCaught = async (...args: Parameters<typeof chargePayment>): Promise<string[]> => {
  const errors: string[] = [];
  for (let attempt = 1; attempt <= 5; attempt += 1) {
    await chargePayment(...args).then(
      () => errors.push('charged'),
      (error: Error) => errors.push(error.name),
    );
  }
  return errors;
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
    ['a payment the gateway never took', 'tok_gateway_down'],
  ])('refunds nothing for %s', async (_label, token) => {
    // Arrange
    const { input, deps, gateway } = setup(token ?? 'tok_visa');
    if (token !== null) await chargePayment(input, deps).catch(() => undefined);

    // Act
    const result = await refundPayment(input, deps);

    // Assert
    expect(result).toEqual({ outcome: 'NOTHING_TO_REFUND', refundId: null, amountCents: 0 });
    expect(gateway.refunds).toHaveLength(0);
    expect(gateway.provider.netChargedCents(input.order.orderId)).toBe(0);
  });

  it('voids a charge the gateway took while every answer was lost, so nothing stays taken', async () => {
    // Arrange
    const { input, deps, gateway, ledger } = setup('tok_charge_timeout');
    const attempts = await chargeUntilCaught(input, deps);
    const taken = gateway.provider.netChargedCents(input.order.orderId);

    // Act
    const result = await refundPayment(input, deps);

    // Assert
    expect(attempts).toEqual(Array(5).fill('PaymentGatewayError'));
    expect(taken).toBe(input.order.totalCents);
    expect(result).toEqual({
      outcome: 'REFUNDED',
      refundId: `re_${input.order.orderId}`,
      amountCents: input.order.totalCents,
    });
    expect(gateway.provider.netChargedCents(input.order.orderId)).toBe(0);
    expect(gateway.voids).toEqual([expect.objectContaining({ idempotencyKey: input.order.orderId })]);
    expect(ledger.items.get(input.order.orderId)).toMatchObject({
      status: 'VOIDED',
      voidOutcome: 'REFUNDED',
      refundId: `re_${input.order.orderId}`,
    });
  });

  it('voids once however often it runs', async () => {
    // Arrange
    const { input, deps, gateway } = setup('tok_charge_timeout');
    await chargeUntilCaught(input, deps);
    await refundPayment(input, deps);

    // Act
    const again = await refundPayment(input, deps);

    // Assert
    expect(again).toEqual({
      outcome: 'ALREADY_REFUNDED',
      refundId: `re_${input.order.orderId}`,
      amountCents: input.order.totalCents,
    });
    expect(gateway.voids).toHaveLength(1);
    expect(gateway.provider.netChargedCents(input.order.orderId)).toBe(0);
  });

  it('never charges a voided payment, however late the retry', async () => {
    // Arrange
    const { input, deps, gateway } = setup('tok_charge_timeout');
    await chargeUntilCaught(input, deps);
    await refundPayment(input, deps);
    const charges = gateway.charges.length;

    // Act
    const late = chargePayment(input, deps);

    // Assert
    await expect(late).rejects.toMatchObject({ name: 'PaymentVoided' });
    expect(gateway.charges).toHaveLength(charges);
    expect(gateway.provider.netChargedCents(input.order.orderId)).toBe(0);
  });

  it('keeps the void when the lost charge answer arrives after it', async () => {
    // Arrange: the charge step is past its counter when the void runs, and its answer lands later.
    const { input, deps, gateway, ledger } = setup();
    const { orderId, totalCents, currency } = input.order;
    await ledger.open(orderId, totalCents, currency, 't0');
    const attempt = (await ledger.countChargeAttempt(orderId, 't0')) ?? 0;
    const inFlight = await gateway.charge({
      idempotencyKey: orderId,
      token: 'tok_visa',
      amountCents: totalCents,
      currency,
      attempt,
    });
    await refundPayment(input, deps);

    // Act
    const late = await ledger.markCharged(
      orderId,
      inFlight.outcome === 'charged' ? inFlight.chargeId : '',
      't1',
    );

    // Assert
    expect(late.status).toBe('VOIDED');
    expect(gateway.provider.netChargedCents(orderId)).toBe(0);
  });

  it('declines a charge call that reaches the gateway after the void', async () => {
    // Arrange: the charge step counted its call, then stalled before reaching the gateway.
    const { input, deps, gateway, ledger } = setup();
    const { orderId, totalCents, currency } = input.order;
    await ledger.open(orderId, totalCents, currency, 't0');
    const attempt = (await ledger.countChargeAttempt(orderId, 't0')) ?? 0;
    const voided = await refundPayment(input, deps);

    // Act
    const late = await gateway.charge({
      idempotencyKey: orderId,
      token: 'tok_visa',
      amountCents: totalCents,
      currency,
      attempt,
    });

    // Assert
    expect(voided).toEqual({ outcome: 'NOTHING_TO_REFUND', refundId: null, amountCents: 0 });
    expect(late).toMatchObject({ outcome: 'declined' });
    expect(gateway.provider.netChargedCents(orderId)).toBe(0);
  });

  it('voids a payment no charge call was made for without asking the gateway, and refuses later charges', async () => {
    // Arrange
    const { input, deps, gateway, ledger } = setup();
    await ledger.open(input.order.orderId, input.order.totalCents, input.order.currency, 't0');

    // Act
    const result = await refundPayment(input, deps);
    const late = chargePayment(input, deps);

    // Assert
    expect(result).toEqual({ outcome: 'NOTHING_TO_REFUND', refundId: null, amountCents: 0 });
    await expect(late).rejects.toMatchObject({ name: 'PaymentVoided' });
    expect(gateway.voids).toHaveLength(0);
    expect(gateway.charges).toHaveLength(0);
    expect(ledger.items.get(input.order.orderId)).toMatchObject({
      status: 'VOIDED',
      voidOutcome: 'NOT_CHARGED',
    });
  });

  it('leaves a void marker for an order with no payment, so a late charge step charges nothing', async () => {
    // Arrange
    const { input, deps, gateway, ledger } = setup();

    // Act
    await refundPayment(input, deps);
    const late = chargePayment(input, deps);

    // Assert
    await expect(late).rejects.toMatchObject({ name: 'PaymentVoided' });
    expect(gateway.charges).toHaveLength(0);
    expect(ledger.items.get(input.order.orderId)).toMatchObject({ status: 'VOIDED', attempts: 0 });
  });

  it('throws while the gateway cannot tell whether it charged, and voids on a later attempt', async () => {
    // Arrange: a charge call was made (the Lambda was cut off), so only the gateway knows.
    const { input, deps, gateway, ledger } = setup('tok_refund_flaky');
    const { orderId, totalCents, currency } = input.order;
    await ledger.open(orderId, totalCents, currency, 't0');
    await ledger.countChargeAttempt(orderId, 't0');

    // Act
    const failures = [
      await refundPayment(input, deps).catch((error: Error) => error.name),
      await refundPayment(input, deps).catch((error: Error) => error.name),
    ];
    const third = await refundPayment(input, deps);

    // Assert
    expect(failures).toEqual(['PaymentGatewayError', 'PaymentGatewayError']);
    expect(third).toEqual({ outcome: 'NOTHING_TO_REFUND', refundId: null, amountCents: 0 });
    expect(gateway.voids.map((request) => request.attempt)).toEqual([1, 2, 3]);
    expect(ledger.items.get(orderId)).toMatchObject({ status: 'VOIDED', voidOutcome: 'NOT_CHARGED' });
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
