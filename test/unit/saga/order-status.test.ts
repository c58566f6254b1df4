import { canTransition, ORDER_STATUSES, type OrderStatus } from '#shared/domain/order-status';

const FINAL: OrderStatus[] = ['COMPLETED', 'CANCELLED', 'REJECTED', 'NEEDS_ATTENTION'];

describe('order status transitions', () => {
  it('moves forward statuses only forward', () => {
    // Arrange
    const forward: OrderStatus[] = ['RECEIVED', 'RESERVED', 'CHARGED', 'SHIPPED', 'COMPLETED'];

    // Act
    const moves = forward.flatMap((from, i) =>
      forward.map((to, j) => ({ from, to, allowed: canTransition(from, to), j, i })),
    );

    // Assert
    for (const { from, to, allowed, i, j } of moves)
      expect({ from, to, allowed }).toEqual({ from, to, allowed: j > i });
  });

  it('never overwrites a final status', () => {
    // Assert
    for (const from of FINAL) {
      for (const to of ORDER_STATUSES)
        expect({ from, to, allowed: canTransition(from, to) }).toEqual({ from, to, allowed: false });
    }
  });

  it('lets any in-flight order end as cancelled, rejected or needing attention', () => {
    // Assert
    for (const from of ['RECEIVED', 'RESERVED', 'CHARGED', 'SHIPPED'] as const) {
      for (const to of FINAL) expect(canTransition(from, to)).toBe(true);
    }
  });

  it('lets an order without a status take any status (a saga started by hand)', () => {
    // Assert
    expect(canTransition(undefined, 'NEEDS_ATTENTION')).toBe(true);
    expect(canTransition(undefined, 'RESERVED')).toBe(true);
  });
});
