import { SimulatedCarrier } from '#shared/adapters/simulated-carrier';
import type { Carrier, ShipmentRequest } from '#shared/domain/ports';
import { confirmOrder } from '#shared/domain/steps/confirm-order';
import { createShipment } from '#shared/domain/steps/create-shipment';
import { fixedClock, InMemoryOrders, RecordingNotifier } from '../../helpers/saga-fakes';
import { buildOrder, sagaInput } from '../../helpers/saga-orders';

class CountingCarrier implements Carrier {
  readonly requests: ShipmentRequest[] = [];
  private readonly inner = new SimulatedCarrier();

  createShipment(request: ShipmentRequest) {
    this.requests.push(request);
    return this.inner.createShipment(request);
  }
}

const setup = (shipTo: { country?: string; postalCode?: string } = {}) => {
  const orders = new InMemoryOrders();
  const carrier = new CountingCarrier();
  const notifier = new RecordingNotifier();
  const clock = fixedClock();
  const input = sagaInput(buildOrder(shipTo));
  orders.seed(input.order.orderId, 'CHARGED');
  return { orders, carrier, notifier, input, deps: { orders, carrier, notifier, clock } };
};

describe('createShipment', () => {
  it('books a shipment, stores it on the order and moves it to SHIPPED', async () => {
    // Arrange
    const { input, deps, orders } = setup();

    // Act
    const shipment = await createShipment(input, deps);

    // Assert
    expect(shipment).toEqual({ trackingId: expect.stringMatching(/^SIM/), carrier: 'simulated-post' });
    expect(orders.items.get(input.order.orderId)).toMatchObject({ status: 'SHIPPED', shipment });
  });

  it('returns the stored shipment when retried, without asking the carrier again', async () => {
    // Arrange
    const { input, deps, carrier } = setup();
    const first = await createShipment(input, deps);

    // Act
    const second = await createShipment(input, deps);

    // Assert
    expect(second).toEqual(first);
    expect(carrier.requests).toHaveLength(1);
  });

  it('throws ShippingError for a destination the carrier refuses and leaves the order CHARGED', async () => {
    // Arrange
    const { input, deps, orders } = setup({ country: 'AQ' });

    // Act
    const attempt = createShipment(input, deps);

    // Assert
    await expect(attempt).rejects.toMatchObject({
      name: 'ShippingError',
      message: expect.stringContaining('AQ'),
    });
    expect(orders.items.get(input.order.orderId)?.status).toBe('CHARGED');
  });
});

describe('confirmOrder', () => {
  it('completes the order and announces it with the tracking id', async () => {
    // Arrange
    const { input, deps, orders, notifier } = setup();
    await createShipment(input, deps);

    // Act
    const { summary } = await confirmOrder(input, deps);

    // Assert
    expect(summary).toEqual({ status: 'COMPLETED', notified: true });
    expect(orders.items.get(input.order.orderId)?.status).toBe('COMPLETED');
    expect(notifier.published).toEqual([
      expect.objectContaining({
        eventType: 'OrderCompleted',
        orderId: input.order.orderId,
        trackingId: expect.stringMatching(/^SIM/),
        correlationId: input.correlationId,
      }),
    ]);
  });

  it('completes the order even when the notification cannot be published', async () => {
    // Arrange
    const { input, deps, orders, notifier } = setup();
    notifier.failWith = new Error('topic does not exist');

    // Act
    const result = await confirmOrder(input, deps);

    // Assert
    expect(result.summary).toEqual({ status: 'COMPLETED', notified: false });
    expect(result.notificationError).toBe(notifier.failWith);
    expect(orders.items.get(input.order.orderId)?.status).toBe('COMPLETED');
  });

  it('completes an order a redriven execution finishes after it needed attention, and announces it', async () => {
    // Arrange
    const { input, deps, orders, notifier } = setup();
    await createShipment(input, deps);
    await orders.transition(input.order.orderId, 'NEEDS_ATTENTION', '2026-11-22T12:30:00.000Z', 'x');

    // Act
    const { summary } = await confirmOrder(input, deps);

    // Assert
    expect(summary).toEqual({ status: 'COMPLETED', notified: true });
    expect(orders.items.get(input.order.orderId)?.history.map((entry) => entry.status)).toEqual([
      'CHARGED',
      'SHIPPED',
      'NEEDS_ATTENTION',
      'COMPLETED',
    ]);
    expect(notifier.published).toHaveLength(1);
  });

  it('announces again, with the first completion time, when retried after completing', async () => {
    // Arrange
    const { input, deps, notifier } = setup();
    await confirmOrder(input, deps);
    deps.clock.advance(60_000);

    // Act
    const { summary } = await confirmOrder(input, deps);

    // Assert
    expect(summary).toEqual({ status: 'COMPLETED', notified: true });
    expect(notifier.published.map((published) => published.completedAt)).toEqual([
      '2026-11-22T12:00:00.000Z',
      '2026-11-22T12:00:00.000Z',
    ]);
  });

  it.each(['CANCELLED', 'REJECTED'] as const)(
    'refuses to complete a %s order and announces nothing',
    async (status) => {
      // Arrange
      const { input, deps, orders, notifier } = setup();
      await orders.transition(input.order.orderId, status, '2026-11-22T12:30:00.000Z', 'x');

      // Act
      const attempt = confirmOrder(input, deps);

      // Assert
      await expect(attempt).rejects.toMatchObject({
        name: 'OrderStatusConflict',
        message: expect.stringContaining(status),
      });
      expect(orders.items.get(input.order.orderId)?.status).toBe(status);
      expect(notifier.published).toEqual([]);
    },
  );
});
