import { SimulatedCarrier } from '#shared/adapters/simulated-carrier';
import type { Carrier, ShipmentRequest } from '#shared/domain/ports';
import { cancelShipment } from '#shared/domain/steps/cancel-shipment';
import { confirmOrder } from '#shared/domain/steps/confirm-order';
import { createShipment } from '#shared/domain/steps/create-shipment';
import {
  fixedClock,
  InMemoryOrders,
  InMemoryProviderBooks,
  RecordingNotifier,
} from '../../helpers/saga-fakes';
import { buildOrder, sagaInput } from '../../helpers/saga-orders';

/** The simulated carrier with books of its own, counting the calls that reach it. */
class CountingCarrier implements Carrier {
  readonly requests: ShipmentRequest[] = [];
  readonly cancellations: string[] = [];
  readonly books = new InMemoryProviderBooks();
  private readonly inner = new SimulatedCarrier(this.books);

  createShipment(request: ShipmentRequest) {
    this.requests.push(request);
    return this.inner.createShipment(request);
  }

  cancel(orderId: string) {
    this.cancellations.push(orderId);
    return this.inner.cancel(orderId);
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

describe('cancelShipment', () => {
  it('cancels a booked shipment at the carrier and marks the order', async () => {
    // Arrange
    const { input, deps, orders, carrier } = setup();
    const shipment = await createShipment(input, deps);

    // Act
    const summary = await cancelShipment(input, deps);

    // Assert
    expect(summary).toEqual({ outcome: 'CANCELLED', trackingId: shipment.trackingId });
    expect(carrier.books.isLive(input.order.orderId)).toBe(false);
    expect(orders.items.get(input.order.orderId)?.shipmentCancelledAt).toBe('2026-11-22T12:00:00.000Z');
  });

  it('cancels a parcel the carrier booked though its answer was lost', async () => {
    // Arrange
    const { input, deps, carrier, orders } = setup({ postalCode: '99998' });
    await expect(createShipment(input, deps)).rejects.toMatchObject({ name: 'CarrierGatewayError' });
    const liveBefore = carrier.books.isLive(input.order.orderId);

    // Act
    const summary = await cancelShipment(input, deps);

    // Assert
    expect(liveBefore).toBe(true);
    expect(summary).toEqual({ outcome: 'CANCELLED', trackingId: expect.stringMatching(/^SIM/) });
    expect(carrier.books.isLive(input.order.orderId)).toBe(false);
    expect(orders.items.get(input.order.orderId)?.shipment).toBeUndefined();
  });

  it('cancels nothing for an order the carrier never booked, and refuses a booking afterwards', async () => {
    // Arrange
    const { input, deps, carrier } = setup();

    // Act
    const summary = await cancelShipment(input, deps);
    const late = carrier.createShipment({
      idempotencyKey: input.order.orderId,
      orderId: input.order.orderId,
      shipTo: input.order.shipTo,
      items: input.order.items,
    });

    // Assert
    expect(summary).toEqual({ outcome: 'NOTHING_TO_CANCEL', trackingId: null });
    await expect(late).rejects.toMatchObject({ name: 'ShippingError' });
    expect(carrier.books.isLive(input.order.orderId)).toBe(false);
  });

  it('reports a contradiction, not "nothing to cancel", when the carrier has no booking for an order that holds a tracking id', async () => {
    // Arrange: the order's shipment came from a booking these carrier books never saw
    const { input, deps, orders } = setup();
    await orders.attachShipment(
      input.order.orderId,
      { trackingId: 'SIMFROMELSEWHERE', carrier: 'simulated-post' },
      '2026-11-22T12:00:00.000Z',
    );

    // Act
    const cancelling = cancelShipment(input, deps);

    // Assert
    await expect(cancelling).rejects.toMatchObject({
      name: 'ShipmentContradiction',
      permanent: true,
      message: expect.stringContaining('tracking id SIMFROMELSEWHERE'),
    });
  });

  it('cancels once however often it runs', async () => {
    // Arrange
    const { input, deps, orders, carrier } = setup();
    await createShipment(input, deps);
    const first = await cancelShipment(input, deps);
    deps.clock.advance(60_000);

    // Act
    const second = await cancelShipment(input, deps);

    // Assert
    expect(second).toEqual(first);
    expect(carrier.cancellations).toHaveLength(2);
    expect(orders.items.get(input.order.orderId)?.shipmentCancelledAt).toBe('2026-11-22T12:00:00.000Z');
  });

  it('keeps a booking that lands after the cancellation off the order', async () => {
    // Arrange: CreateShipment got the carrier's answer, then stalled before storing it.
    const { input, deps, orders, carrier } = setup();
    const booked = await carrier.createShipment({
      idempotencyKey: input.order.orderId,
      orderId: input.order.orderId,
      shipTo: input.order.shipTo,
      items: input.order.items,
    });
    await cancelShipment(input, deps);

    // Act
    const late = orders.attachShipment(input.order.orderId, booked, '2026-11-22T12:01:00.000Z');

    // Assert
    await expect(late).rejects.toMatchObject({ name: 'ShipmentCancelled' });
    expect(orders.items.get(input.order.orderId)?.shipment).toBeUndefined();
    expect(carrier.books.isLive(input.order.orderId)).toBe(false);
  });

  it('never books an order whose shipment was cancelled, however late the retry', async () => {
    // Arrange
    const { input, deps, carrier } = setup();
    await cancelShipment(input, deps);

    // Act
    const late = createShipment(input, deps);

    // Assert
    await expect(late).rejects.toMatchObject({ name: 'ShipmentCancelled' });
    expect(carrier.requests).toHaveLength(0);
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
