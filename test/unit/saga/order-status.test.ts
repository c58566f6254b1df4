import { canTransition, ORDER_STATUSES, type OrderStatus } from '#shared/domain/order-status';

const SETTLED: OrderStatus[] = ['COMPLETED', 'CANCELLED', 'REJECTED'];
const FINAL: OrderStatus[] = [...SETTLED, 'NEEDS_ATTENTION'];

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

  it('never overwrites a completed, cancelled or rejected order', () => {
    // Assert
    for (const from of SETTLED) {
      for (const to of ORDER_STATUSES)
        expect({ from, to, allowed: canTransition(from, to) }).toEqual({ from, to, allowed: false });
    }
  });

  it('lets an order needing attention end completed, cancelled or rejected once a person redrives it', () => {
    // Assert
    for (const to of ORDER_STATUSES) {
      expect({ to, allowed: canTransition('NEEDS_ATTENTION', to) }).toEqual({
        to,
        allowed: SETTLED.includes(to),
      });
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
