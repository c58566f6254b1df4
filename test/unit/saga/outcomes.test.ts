import type { OrderStatus } from '#shared/domain/order-status';
import { recordExecutionEnded } from '#shared/domain/steps/execution-ended';
import { recordOutcome } from '#shared/domain/steps/record-outcome';
import { fixedClock, InMemoryOrders } from '../../helpers/saga-fakes';
import { buildOrder, sagaInput } from '../../helpers/saga-orders';

const setup = (status: OrderStatus = 'RESERVED', reason?: string) => {
  const orders = new InMemoryOrders();
  const input = sagaInput(buildOrder());
  orders.seed(input.order.orderId, status, reason);
  return { orders, input, orderId: input.order.orderId, deps: { orders, clock: fixedClock() } };
};

const cause = (errorType: string, errorMessage: string) => JSON.stringify({ errorType, errorMessage });

describe('recordOutcome', () => {
  it('writes CANCELLED with the reason of the error that started the compensation', async () => {
    // Arrange
    const { input, deps, orders, orderId } = setup('CHARGED');
    const state = {
      ...input,
      error: { Error: 'ShippingError', Cause: cause('ShippingError', 'no delivery to AQ') },
    };

    // Act
    const outcome = await recordOutcome({ status: 'CANCELLED', state }, deps);

    // Assert
    expect(outcome).toEqual({
      status: 'CANCELLED',
      reason: 'ShippingError: no delivery to AQ',
      changed: true,
    });
    expect(orders.items.get(orderId)).toMatchObject({
      status: 'CANCELLED',
      statusReason: 'ShippingError: no delivery to AQ',
    });
    expect(orders.items.get(orderId)?.history.at(-1)).toEqual({
      status: 'CANCELLED',
      at: '2026-11-22T12:00:00.000Z',
      reason: 'ShippingError: no delivery to AQ',
    });
  });

  it.each(['CANCELLED', 'REJECTED'] as const)(
    'writes %s over NEEDS_ATTENTION when a redriven execution finishes the order',
    async (status) => {
      // Arrange
      const { input, deps, orders, orderId } = setup('NEEDS_ATTENTION', 'execution TIMED_OUT');
      const state = { ...input, error: { Error: 'PaymentDeclined', Cause: cause('PaymentDeclined', 'no') } };

      // Act
      const outcome = await recordOutcome({ status, state }, deps);

      // Assert
      expect(outcome).toEqual({ status, reason: 'PaymentDeclined: no', changed: true });
      expect(orders.items.get(orderId)?.history.map((entry) => entry.status)).toEqual([
        'NEEDS_ATTENTION',
        status,
      ]);
    },
  );

  it('keeps the first reason of an order needing attention when it needs attention again', async () => {
    // Arrange
    const { input, deps, orders, orderId } = setup('NEEDS_ATTENTION', 'execution TIMED_OUT');

    // Act
    const outcome = await recordOutcome({ status: 'NEEDS_ATTENTION', state: input }, deps);

    // Assert
    expect(outcome).toMatchObject({ status: 'NEEDS_ATTENTION', changed: false });
    expect(orders.items.get(orderId)?.statusReason).toBe('execution TIMED_OUT');
  });

  it('keeps a final status and its reason when written again', async () => {
    // Arrange
    const { input, deps, orders, orderId } = setup('REJECTED', 'OutOfStock: sku A');

    // Act
    const outcome = await recordOutcome({ status: 'NEEDS_ATTENTION', state: input }, deps);

    // Assert
    expect(outcome).toMatchObject({ status: 'REJECTED', changed: false });
    expect(orders.items.get(orderId)).toMatchObject({
      status: 'REJECTED',
      statusReason: 'OutOfStock: sku A',
    });
  });
});

describe('recordExecutionEnded', () => {
  it.each(['RECEIVED', 'RESERVED', 'CHARGED', 'SHIPPED'] as const)(
    'marks an order still %s as needing attention, with the reason',
    async (status) => {
      // Arrange
      const { deps, orders, orderId } = setup(status);

      // Act
      const result = await recordExecutionEnded({ name: orderId, status: 'TIMED_OUT' }, deps);

      // Assert
      expect(result).toEqual({ action: 'marked', orderId, reason: 'execution TIMED_OUT' });
      expect(orders.items.get(orderId)).toMatchObject({
        status: 'NEEDS_ATTENTION',
        statusReason: 'execution TIMED_OUT',
      });
    },
  );

  it.each(['COMPLETED', 'CANCELLED', 'REJECTED'] as const)('keeps %s', async (status) => {
    // Arrange
    const { deps, orders, orderId } = setup(status);

    // Act
    const result = await recordExecutionEnded({ name: orderId, status: 'ABORTED' }, deps);

    // Assert
    expect(result).toMatchObject({ action: 'kept', status });
    expect(orders.items.get(orderId)?.status).toBe(status);
  });

  it('keeps the first, more precise reason of an order already needing attention', async () => {
    // Arrange
    const { deps, orders, orderId } = setup('NEEDS_ATTENTION', 'RefundPayment failed: ...');

    // Act
    await recordExecutionEnded(
      { name: orderId, status: 'FAILED', error: 'NeedsAttention', cause: 'x' },
      deps,
    );

    // Assert
    expect(orders.items.get(orderId)?.statusReason).toBe('RefundPayment failed: ...');
  });

  it('ignores executions that succeeded', async () => {
    // Arrange
    const { deps, orders, orderId } = setup('RESERVED');

    // Act
    const result = await recordExecutionEnded({ name: orderId, status: 'SUCCEEDED' }, deps);

    // Assert
    expect(result.action).toBe('ignored');
    expect(orders.items.get(orderId)?.status).toBe('RESERVED');
  });

  it('finds the order of an execution started by hand under another name from its input', async () => {
    // Arrange
    const { deps, orders, orderId, input } = setup('CHARGED');

    // Act
    const result = await recordExecutionEnded(
      { name: 'my-manual-run', status: 'TIMED_OUT', input: JSON.stringify(input.order) },
      deps,
    );

    // Assert
    expect(result.action).toBe('marked');
    expect(orders.items.get(orderId)?.status).toBe('NEEDS_ATTENTION');
    expect(orders.items.has('my-manual-run')).toBe(false);
  });

  it('leaves everything alone when AcceptOrder refused the input: nothing ran', async () => {
    // Arrange
    const { deps, orders, orderId, input } = setup('RESERVED');

    // Act
    const result = await recordExecutionEnded(
      {
        name: orderId,
        status: 'FAILED',
        error: 'SagaInputRefused',
        cause: 'x',
        input: JSON.stringify(input),
      },
      deps,
    );

    // Assert
    expect(result).toMatchObject({ action: 'ignored', why: expect.stringContaining('refused its input') });
    expect(orders.items.get(orderId)?.status).toBe('RESERVED');
  });

  it('writes nothing for an execution whose input names no order', async () => {
    // Arrange
    const { deps, orders } = setup('RESERVED');

    // Act
    const result = await recordExecutionEnded(
      { name: 'garbage-run', status: 'ABORTED', input: '{"hello":"world"}' },
      deps,
    );

    // Assert
    expect(result).toMatchObject({ action: 'ignored', why: expect.stringContaining('names no order') });
    expect(orders.items.has('garbage-run')).toBe(false);
  });

  it("leaves the order alone when the execution that ended is not the order's own saga", async () => {
    // Arrange: the order belongs to the execution process-order started
    const { deps, orders, orderId, input } = setup('RESERVED');
    const owner = `arn:aws:states:us-east-1:123456789012:execution:saga:${orderId}`;
    await orders.receive({ ...input, contentHash: 'h' }, owner, '2026-11-22T12:00:00.000Z');

    // Act
    const result = await recordExecutionEnded(
      {
        name: 'second-run',
        executionArn: 'arn:aws:states:us-east-1:123456789012:execution:saga:second-run',
        status: 'ABORTED',
        input: JSON.stringify(input),
      },
      deps,
    );

    // Assert
    expect(result).toMatchObject({ action: 'ignored', why: expect.stringContaining('another execution') });
    expect(orders.items.get(orderId)?.status).toBe('RESERVED');
  });
});
