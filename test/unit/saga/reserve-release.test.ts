import { releaseInventory } from '#shared/domain/steps/release-inventory';
import { reserveInventory } from '#shared/domain/steps/reserve-inventory';
import { fixedClock, InMemoryInventory, InMemoryOrders } from '../../helpers/saga-fakes';
import { buildOrder, sagaInput } from '../../helpers/saga-orders';

const setup = (stock: Record<string, number> = { 'SKU-A': 10, 'SKU-B': 10 }) => {
  const inventory = new InMemoryInventory(stock);
  const orders = new InMemoryOrders();
  const clock = fixedClock();
  const input = sagaInput(buildOrder());
  orders.seed(input.order.orderId);
  return { inventory, orders, clock, input, deps: { inventory, orders, clock } };
};

describe('reserveInventory', () => {
  it('reserves every line and moves the order to RESERVED', async () => {
    // Arrange
    const { inventory, orders, input, deps } = setup();

    // Act
    const summary = await reserveInventory(input, deps);

    // Assert
    expect(summary).toEqual({
      status: 'RESERVED',
      lines: [
        { sku: 'SKU-A', quantity: 2 },
        { sku: 'SKU-B', quantity: 1 },
      ],
      reservedAt: '2026-11-22T12:00:00.000Z',
    });
    expect(Object.fromEntries(inventory.stock)).toEqual({ 'SKU-A': 8, 'SKU-B': 9 });
    expect(orders.items.get(input.order.orderId)?.status).toBe('RESERVED');
  });

  it('returns the first reservation when called again and appends no second history entry', async () => {
    // Arrange
    const { inventory, orders, input, deps, clock } = setup();
    const first = await reserveInventory(input, deps);
    clock.advance(60_000);

    // Act
    const second = await reserveInventory(input, deps);

    // Assert
    expect(second).toEqual(first);
    expect(Object.fromEntries(inventory.stock)).toEqual({ 'SKU-A': 8, 'SKU-B': 9 });
    expect(orders.items.get(input.order.orderId)?.history.map((entry) => entry.status)).toEqual([
      'RECEIVED',
      'RESERVED',
    ]);
  });

  it('throws OutOfStock naming the sku and leaves the order as it was', async () => {
    // Arrange
    const { orders, input, deps } = setup({ 'SKU-A': 10, 'SKU-B': 0 });

    // Act
    const attempt = reserveInventory(input, deps);

    // Assert
    await expect(attempt).rejects.toMatchObject({
      name: 'OutOfStock',
      message: expect.stringContaining('SKU-B'),
    });
    expect(orders.items.get(input.order.orderId)?.status).toBe('RECEIVED');
  });

  it('never reserves again for an order whose reservation was released', async () => {
    // Arrange
    const { input, deps, inventory } = setup();
    await reserveInventory(input, deps);
    await releaseInventory(input, deps);

    // Act
    const attempt = reserveInventory(input, deps);

    // Assert
    await expect(attempt).rejects.toMatchObject({ name: 'ReservationReleased' });
    expect(Object.fromEntries(inventory.stock)).toEqual({ 'SKU-A': 10, 'SKU-B': 10 });
  });
});

describe('releaseInventory', () => {
  it('gives back the stock once however often it runs', async () => {
    // Arrange
    const { input, deps, inventory } = setup();
    await reserveInventory(input, deps);

    // Act
    const first = await releaseInventory(input, deps);
    const second = await releaseInventory(input, deps);

    // Assert
    expect(first.outcome).toBe('RELEASED');
    expect(second.outcome).toBe('ALREADY_RELEASED');
    expect(Object.fromEntries(inventory.stock)).toEqual({ 'SKU-A': 10, 'SKU-B': 10 });
  });

  it('releases nothing for an order that reserved nothing', async () => {
    // Arrange
    const { input, deps, inventory } = setup();

    // Act
    const result = await releaseInventory(input, deps);

    // Assert
    expect(result).toEqual({ outcome: 'NOTHING_TO_RELEASE', lines: [] });
    expect(Object.fromEntries(inventory.stock)).toEqual({ 'SKU-A': 10, 'SKU-B': 10 });
  });

  it('keeps a reservation that arrives after the release from taking stock', async () => {
    // Arrange
    const { input, deps, inventory } = setup();
    await releaseInventory(input, deps);

    // Act
    const late = reserveInventory(input, deps);

    // Assert
    await expect(late).rejects.toMatchObject({ name: 'ReservationReleased' });
    expect(Object.fromEntries(inventory.stock)).toEqual({ 'SKU-A': 10, 'SKU-B': 10 });
    expect(await releaseInventory(input, deps)).toEqual({ outcome: 'NOTHING_TO_RELEASE', lines: [] });
  });
});
