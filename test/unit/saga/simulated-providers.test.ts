import { SimulatedCarrier } from '#shared/adapters/simulated-carrier';
import {
  SIMULATED_FUNDS_LIMIT_CENTS,
  SimulatedPaymentGateway,
} from '#shared/adapters/simulated-payment-gateway';
import { InMemoryProviderBooks } from '../../helpers/saga-fakes';

/** A gateway with books of its own, so one test's charges never answer another's. */
const freshGateway = () => {
  const provider = new InMemoryProviderBooks();
  return { provider, gateway: new SimulatedPaymentGateway(provider) };
};

const chargeRequest = (token: string, attempt = 1, amountCents = 1_000) => ({
  idempotencyKey: 'o1',
  token,
  amountCents,
  currency: 'EUR',
  attempt,
});

const charge = (token: string, attempt = 1, amountCents = 1_000) =>
  freshGateway().gateway.charge(chargeRequest(token, attempt, amountCents));

const refund = (token: string, attempt = 1) =>
  freshGateway().gateway.refund({
    idempotencyKey: 'o1',
    chargeId: 'ch_o1',
    token,
    amountCents: 1_000,
    attempt,
  });

const voidRequest = (token: string, attempt = 1) => ({
  idempotencyKey: 'o1',
  token,
  amountCents: 1_000,
  attempt,
});

const shipmentRequest = (country: string, postalCode: string, orderId = 'o1') => ({
  idempotencyKey: orderId,
  orderId,
  shipTo: { country, postalCode },
  items: [],
});

/** A carrier with books of its own, so one test's bookings never answer another's. */
const freshCarrier = () => {
  const books = new InMemoryProviderBooks();
  return { books, carrier: new SimulatedCarrier(books) };
};

const ship = (country: string, postalCode: string, orderId = 'o1') =>
  freshCarrier().carrier.createShipment(shipmentRequest(country, postalCode, orderId));

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
    const { gateway } = freshGateway();
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

describe('simulated payment provider books', () => {
  it('books an ordinary charge once per key and a refund against it', async () => {
    // Arrange
    const { gateway, provider } = freshGateway();
    await gateway.charge(chargeRequest('tok_visa'));
    await gateway.charge(chargeRequest('tok_visa', 2));
    const held = provider.netChargedCents('o1');

    // Act
    await gateway.refund({
      idempotencyKey: 'o1',
      chargeId: 'ch_o1',
      token: 'tok_visa',
      amountCents: 1_000,
      attempt: 1,
    });

    // Assert
    expect(held).toBe(1_000);
    expect(provider.chargeOf('o1')).toEqual({ chargeId: 'ch_o1', amountCents: 1_000, currency: 'EUR' });
    expect(provider.netChargedCents('o1')).toBe(0);
  });

  it('takes tok_charge_timeout charges and loses the answer on every attempt', async () => {
    // Arrange
    const { gateway, provider } = freshGateway();

    // Act
    const answers = await Promise.all(
      [1, 2, 3].map((attempt) =>
        gateway.charge(chargeRequest('tok_charge_timeout', attempt)).catch((error: Error) => error.name),
      ),
    );

    // Assert
    expect(answers).toEqual(['PaymentGatewayError', 'PaymentGatewayError', 'PaymentGatewayError']);
    expect(provider.netChargedCents('o1')).toBe(1_000);
  });

  it('voids a charge whose answer was lost by refunding it, once', async () => {
    // Arrange
    const { gateway, provider } = freshGateway();
    await gateway.charge(chargeRequest('tok_charge_timeout')).catch(() => undefined);

    // Act
    const first = await gateway.voidCharge(voidRequest('tok_charge_timeout'));
    const again = await gateway.voidCharge(voidRequest('tok_charge_timeout', 2));

    // Assert
    expect(first).toEqual({ outcome: 'refunded', refundId: 're_o1' });
    expect(again).toEqual(first);
    expect(provider.netChargedCents('o1')).toBe(0);
  });

  it('voids a key it never charged as a no-op and declines any charge for it afterwards', async () => {
    // Arrange
    const { gateway, provider } = freshGateway();

    // Act
    const voided = await gateway.voidCharge(voidRequest('tok_visa'));
    const late = await gateway.charge(chargeRequest('tok_visa'));

    // Assert
    expect(voided).toEqual({ outcome: 'not-charged' });
    expect(late).toMatchObject({ outcome: 'declined', code: 'PaymentDeclined' });
    expect(provider.netChargedCents('o1')).toBe(0);
  });

  it('cannot tell what happened for the refund tokens while they fail', async () => {
    // Arrange
    const { gateway } = freshGateway();

    // Act and Assert: each answer is the expectation
    await expect(gateway.voidCharge(voidRequest('tok_refund_down', 9))).rejects.toMatchObject({
      name: 'PaymentGatewayError',
    });
    await expect(gateway.voidCharge(voidRequest('tok_refund_flaky', 2))).rejects.toMatchObject({
      name: 'PaymentGatewayError',
    });
    await expect(gateway.voidCharge(voidRequest('tok_refund_flaky', 3))).resolves.toEqual({
      outcome: 'not-charged',
    });
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
    // Arrange
    const { carrier } = freshCarrier();

    // Act
    const first = await carrier.createShipment(shipmentRequest('DE', '10115', 'o1'));
    const again = await carrier.createShipment(shipmentRequest('DE', '10115', 'o1'));
    const other = await ship('DE', '10115', 'o2');

    // Assert
    expect(first).toEqual(again);
    expect(first.trackingId).toMatch(/^SIM[0-9A-F]{16}$/);
    expect(other.trackingId).not.toBe(first.trackingId);
  });

  it('books postal code 99998 and then loses its answer, on every attempt', async () => {
    // Arrange
    const { books, carrier } = freshCarrier();

    // Act
    const answers = [
      await carrier.createShipment(shipmentRequest('DE', '99998')).catch((error: Error) => error.name),
      await carrier.createShipment(shipmentRequest('DE', '99998')).catch((error: Error) => error.name),
    ];

    // Assert
    expect(answers).toEqual(['CarrierGatewayError', 'CarrierGatewayError']);
    expect(books.isLive('o1')).toBe(true);
  });

  it('cancels a booking once and never books the key again', async () => {
    // Arrange
    const { books, carrier } = freshCarrier();
    const booked = await carrier.createShipment(shipmentRequest('DE', '10115'));

    // Act
    const first = await carrier.cancel('o1');
    const again = await carrier.cancel('o1');
    const rebook = carrier.createShipment(shipmentRequest('DE', '10115'));

    // Assert
    expect(first).toEqual({ outcome: 'cancelled', trackingId: booked.trackingId });
    expect(again).toEqual(first);
    await expect(rebook).rejects.toMatchObject({ name: 'ShippingError' });
    expect(books.isCancelled('o1')).toBe(true);
    expect(books.isLive('o1')).toBe(false);
  });

  it('cancels a key it never booked as a no-op and refuses to book it afterwards', async () => {
    // Arrange
    const { books, carrier } = freshCarrier();

    // Act
    const cancelled = await carrier.cancel('o1');
    const late = carrier.createShipment(shipmentRequest('DE', '10115'));

    // Assert
    expect(cancelled).toEqual({ outcome: 'not-booked' });
    await expect(late).rejects.toMatchObject({ name: 'ShippingError' });
    expect(books.isLive('o1')).toBe(false);
  });
});
