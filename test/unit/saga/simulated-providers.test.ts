import { SimulatedCarrier } from '#shared/adapters/simulated-carrier';
import {
  SIMULATED_FUNDS_LIMIT_CENTS,
  SimulatedPaymentGateway,
} from '#shared/adapters/simulated-payment-gateway';

const charge = (token: string, attempt = 1, amountCents = 1_000) =>
  new SimulatedPaymentGateway().charge({
    idempotencyKey: 'o1',
    token,
    amountCents,
    currency: 'EUR',
    attempt,
  });

const refund = (token: string, attempt = 1) =>
  new SimulatedPaymentGateway().refund({
    idempotencyKey: 'o1',
    chargeId: 'ch_o1',
    token,
    amountCents: 1_000,
    attempt,
  });

const ship = (country: string, postalCode: string, orderId = 'o1') =>
  new SimulatedCarrier().createShipment({
    idempotencyKey: orderId,
    orderId,
    shipTo: { country, postalCode },
    items: [],
  });

describe('simulated payment gateway', () => {
  it('charges ordinary tokens with a charge id named after the idempotency key', async () => {
    // Act and Assert: each answer is the expectation
    await expect(charge('tok_visa')).resolves.toEqual({ outcome: 'charged', chargeId: 'ch_o1' });
  });

  it('declines tok_decline and tok_insufficient_funds as business outcomes', async () => {
    // Act and Assert: each answer is the expectation
    await expect(charge('tok_decline')).resolves.toMatchObject({
      outcome: 'declined',
      code: 'PaymentDeclined',
    });
    await expect(charge('tok_insufficient_funds')).resolves.toMatchObject({
      outcome: 'declined',
      code: 'InsufficientFunds',
    });
  });

  it('declines amounts above the funds limit as insufficient funds', async () => {
    // Act and Assert: each answer is the expectation
    await expect(charge('tok_visa', 1, SIMULATED_FUNDS_LIMIT_CENTS + 1)).resolves.toMatchObject({
      code: 'InsufficientFunds',
    });
    await expect(charge('tok_visa', 1, SIMULATED_FUNDS_LIMIT_CENTS)).resolves.toMatchObject({
      outcome: 'charged',
    });
  });

  it('fails tok_flaky on the first two attempts and charges on the third', async () => {
    // Act and Assert: each answer is the expectation
    await expect(charge('tok_flaky', 1)).rejects.toMatchObject({ name: 'PaymentGatewayError' });
    await expect(charge('tok_flaky', 2)).rejects.toMatchObject({ name: 'PaymentGatewayError' });
    await expect(charge('tok_flaky', 3)).resolves.toEqual({ outcome: 'charged', chargeId: 'ch_o1' });
  });

  it('fails tok_gateway_down on every attempt', async () => {
    // Act and Assert: each answer is the expectation
    await expect(charge('tok_gateway_down', 50)).rejects.toMatchObject({ name: 'PaymentGatewayError' });
  });

  it('answers a repeated key with the first charge', async () => {
    // Arrange
    const gateway = new SimulatedPaymentGateway();
    const request = { idempotencyKey: 'o9', token: 'tok_flaky', amountCents: 5, currency: 'EUR', attempt: 3 };
    await gateway.charge(request);

    // Act
    const again = await gateway.charge({ ...request, attempt: 1 });

    // Assert
    expect(again).toEqual({ outcome: 'charged', chargeId: 'ch_o9' });
  });

  it('refunds with a refund id named after the key; refund tokens fail as documented', async () => {
    // Act and Assert: each answer is the expectation
    await expect(refund('tok_visa')).resolves.toEqual({ refundId: 're_o1' });
    await expect(refund('tok_refund_flaky', 2)).rejects.toMatchObject({ name: 'PaymentGatewayError' });
    await expect(refund('tok_refund_flaky', 3)).resolves.toEqual({ refundId: 're_o1' });
    await expect(refund('tok_refund_down', 40)).rejects.toMatchObject({ name: 'PaymentGatewayError' });
  });
});

describe('simulated carrier', () => {
  it('refuses AQ, KP and postal code 00000 as shipping errors', async () => {
    // Act and Assert: each answer is the expectation
    await expect(ship('AQ', '1234')).rejects.toMatchObject({ name: 'ShippingError' });
    await expect(ship('KP', '1234')).rejects.toMatchObject({ name: 'ShippingError' });
    await expect(ship('DE', '00000')).rejects.toMatchObject({ name: 'ShippingError' });
  });

  it('never answers for postal code 99999', async () => {
    // Act and Assert: each answer is the expectation
    await expect(ship('DE', '99999')).rejects.toMatchObject({ name: 'CarrierGatewayError' });
  });

  it('gives the same order the same tracking id and another order another', async () => {
    // Act
    const first = await ship('DE', '10115', 'o1');
    const again = await ship('DE', '10115', 'o1');
    const other = await ship('DE', '10115', 'o2');

    // Assert
    expect(first).toEqual(again);
    expect(first.trackingId).toMatch(/^SIM[0-9A-F]{16}$/);
    expect(other.trackingId).not.toBe(first.trackingId);
  });
});
