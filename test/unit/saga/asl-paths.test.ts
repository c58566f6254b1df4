import { parseSagaInput } from '#shared/domain/saga-input';
import { type FakeStep, lambdaError, runSagaWithFakes } from '../../helpers/saga-asl';
import { buildOrder, sagaInput } from '../../helpers/saga-orders';
import { SHIPMENT_FAILED_TASKS } from '../../helpers/saga-paths';

/** AcceptOrder's normal answer: the state from either input shape, as the real step builds it. */
const accepting: FakeStep = (payload) => {
  const { input, executionName } = payload as { input: unknown; executionName: string };
  const parsed = parseSagaInput(input);
  if (!parsed.ok) throw lambdaError('InvalidSagaInput', parsed.reasons.join('; '));
  return { order: parsed.order, correlationId: parsed.correlationId ?? `execution:${executionName}` };
};

/** Each step's normal answer; a test overrides the ones it makes fail. */
const succeeding: Record<string, FakeStep> = {
  AcceptOrder: accepting,
  ReserveInventory: () => ({ status: 'RESERVED', lines: [{ sku: 'SKU-A', quantity: 2 }], reservedAt: 't0' }),
  ChargePayment: () => ({ status: 'CHARGED', chargeId: 'ch_1', amountCents: 100, currency: 'EUR' }),
  CreateShipment: () => ({ trackingId: 'SIM1', carrier: 'simulated-post' }),
  ConfirmOrder: () => ({ status: 'COMPLETED', notified: true }),
  CancelShipment: () => ({ outcome: 'CANCELLED', trackingId: 'SIM1' }),
  RefundPayment: () => ({ outcome: 'REFUNDED', refundId: 're_1', amountCents: 100 }),
  ReleaseInventory: () => ({ outcome: 'RELEASED', lines: [{ sku: 'SKU-A', quantity: 2 }] }),
  RecordRejected: (payload) => ({
    status: (payload as { status: string }).status,
    reason: 'r',
    changed: true,
  }),
  RecordCancelled: (payload) => ({
    status: (payload as { status: string }).status,
    reason: 'r',
    changed: true,
  }),
};

const failing =
  (name: string, message = 'boom'): FakeStep =>
  () => {
    throw lambdaError(name, message);
  };

/** Fails the first `times` calls with `name`, then answers like the succeeding fake. */
const failingTimes =
  (times: number, name: string, step: string): FakeStep =>
  (payload, call) => {
    if (call <= times) throw lambdaError(name, `attempt ${call}`);
    return succeeding[step]?.(payload, call);
  };

/** Runs the saga on process-order's input; `calls` leaves out AcceptOrder, which every run starts with. */
const run = async (fakes: Record<string, FakeStep>) => {
  const result = await runSagaWithFakes(sagaInput(buildOrder()), fakes, succeeding);
  expect(result.calls[0]).toBe('AcceptOrder');
  return { ...result, calls: result.calls.slice(1) };
};

describe('order saga paths (fake steps)', () => {
  it('runs the four forward steps in order and succeeds with their results', async () => {
    // Act
    const { calls, output, failure } = await run({});

    // Assert
    expect(failure).toBeUndefined();
    expect(calls).toEqual(['ReserveInventory', 'ChargePayment', 'CreateShipment', 'ConfirmOrder']);
    expect(output).toMatchObject({
      reservation: { status: 'RESERVED' },
      payment: { status: 'CHARGED', chargeId: 'ch_1' },
      shipment: { trackingId: 'SIM1' },
      confirmation: { status: 'COMPLETED', notified: true },
    });
  });

  it('passes each step the whole state, including earlier results', async () => {
    // Act
    const { payloads } = await run({});

    // Assert
    expect(payloads.CreateShipment?.[0]).toMatchObject({
      order: { orderId: expect.any(String) },
      correlationId: expect.any(String),
      reservation: { status: 'RESERVED' },
      payment: { status: 'CHARGED' },
    });
  });

  it.each(['OutOfStock', 'UnknownSku'])('rejects on %s with nothing to undo', async (error) => {
    // Act
    const { calls, output, payloads } = await run({
      ReserveInventory: failing(error, 'sku SKU-A is out of stock'),
    });

    // Assert
    expect(calls).toEqual(['ReserveInventory', 'RecordRejected']);
    expect(payloads.RecordRejected?.[0]).toMatchObject({
      status: 'REJECTED',
      state: { error: { Error: error } },
    });
    expect(output).toMatchObject({ outcome: { status: 'REJECTED' } });
  });

  it('releases (and voids any charge) when the reservation fails for another reason, since it may have been written', async () => {
    // Act
    const { calls, output } = await run({ ReserveInventory: failing('Error', 'something unexpected') });

    // Assert
    expect(calls).toEqual(['ReserveInventory', 'RefundPayment', 'ReleaseInventory', 'RecordCancelled']);
    expect(output).toMatchObject({ outcome: { status: 'CANCELLED' } });
  });

  it.each([
    'Lambda.ClientExecutionTimeoutException',
    'Lambda.Unknown',
    'Sandbox.Timedout',
    'Runtime.ExitError',
    'States.Timeout',
  ])('retries %s on a forward step before it compensates anything', async (error) => {
    // Act: each forward step fails three times with the infrastructure error, then works
    const { calls, output } = await run({
      ReserveInventory: failingTimes(3, error, 'ReserveInventory'),
      ChargePayment: failingTimes(3, error, 'ChargePayment'),
      CreateShipment: failingTimes(3, error, 'CreateShipment'),
      ConfirmOrder: failingTimes(3, error, 'ConfirmOrder'),
    });

    // Assert: the order completes; no compensation ran
    expect(calls).toEqual(
      ['ReserveInventory', 'ChargePayment', 'CreateShipment', 'ConfirmOrder'].flatMap((step) => [
        step,
        step,
        step,
        step,
      ]),
    );
    expect(output).toMatchObject({ confirmation: { status: 'COMPLETED' } });
  });

  it('compensates only once the infrastructure retries of a forward step run out', async () => {
    // Act
    const { calls, output } = await run({ ChargePayment: failing('Sandbox.Timedout') });

    // Assert
    expect(calls.filter((call) => call === 'ChargePayment')).toHaveLength(4);
    expect(calls.slice(-3)).toEqual(['RefundPayment', 'ReleaseInventory', 'RecordCancelled']);
    expect(output).toMatchObject({ outcome: { status: 'CANCELLED' }, error: { Error: 'Sandbox.Timedout' } });
  });

  it('retries a throttled store on a forward step, then goes on', async () => {
    // Act
    const { calls } = await run({
      ReserveInventory: failingTimes(2, 'TransientStoreError', 'ReserveInventory'),
    });

    // Assert
    expect(calls.slice(0, 4)).toEqual([
      'ReserveInventory',
      'ReserveInventory',
      'ReserveInventory',
      'ChargePayment',
    ]);
  });

  it('retries Lambda service errors on a forward step', async () => {
    // Act
    const { calls } = await run({
      CreateShipment: failingTimes(1, 'Lambda.ServiceException', 'CreateShipment'),
    });

    // Assert
    expect(calls.filter((call) => call === 'CreateShipment')).toHaveLength(2);
    expect(calls.at(-1)).toBe('ConfirmOrder');
  });

  it.each(['PaymentDeclined', 'InsufficientFunds'])(
    'does not retry %s and undoes newest first: refund (nothing charged), release, cancel',
    async (error) => {
      // Act
      const { calls, output } = await run({ ChargePayment: failing(error) });

      // Assert
      expect(calls).toEqual([
        'ReserveInventory',
        'ChargePayment',
        'RefundPayment',
        'ReleaseInventory',
        'RecordCancelled',
      ]);
      expect(output).toMatchObject({ outcome: { status: 'CANCELLED' }, error: { Error: error } });
    },
  );

  it('retries a flaky payment gateway into success', async () => {
    // Act
    const { calls, failure } = await run({
      ChargePayment: failingTimes(2, 'PaymentGatewayError', 'ChargePayment'),
    });

    // Assert
    expect(failure).toBeUndefined();
    expect(calls).toEqual([
      'ReserveInventory',
      'ChargePayment',
      'ChargePayment',
      'ChargePayment',
      'CreateShipment',
      'ConfirmOrder',
    ]);
  });

  it('gives up on a gateway that stays down and cancels the order', async () => {
    // Act
    const { calls, output } = await run({ ChargePayment: failing('PaymentGatewayError') });

    // Assert
    expect(calls.filter((call) => call === 'ChargePayment')).toHaveLength(5);
    expect(calls.slice(-3)).toEqual(['RefundPayment', 'ReleaseInventory', 'RecordCancelled']);
    expect(output).toMatchObject({ outcome: { status: 'CANCELLED' } });
  });

  it('cancels the shipment, then refunds, then releases when the shipment fails', async () => {
    // Act
    const { calls, output, payloads } = await run({
      CreateShipment: failing('ShippingError', 'no delivery to AQ'),
    });

    // Assert
    expect(calls).toEqual(SHIPMENT_FAILED_TASKS);
    expect(payloads.CancelShipment?.[0]).toMatchObject({ error: { Error: 'ShippingError' } });
    expect(output).toMatchObject({
      shipmentCancellation: { outcome: 'CANCELLED', trackingId: 'SIM1' },
      compensation: { refund: { outcome: 'REFUNDED' }, release: { outcome: 'RELEASED' } },
      outcome: { status: 'CANCELLED' },
    });
  });

  it('retries a carrier that does not answer before undoing, starting with the shipment', async () => {
    // Act
    const { calls } = await run({ CreateShipment: failing('CarrierGatewayError') });

    // Assert
    expect(calls.filter((call) => call === 'CreateShipment')).toHaveLength(5);
    expect(calls.slice(-4)).toEqual([
      'CancelShipment',
      'RefundPayment',
      'ReleaseInventory',
      'RecordCancelled',
    ]);
  });

  it('does not cancel a shipment when the payment fails: nothing was booked', async () => {
    // Act
    const { calls } = await run({ ChargePayment: failing('PaymentDeclined') });

    // Assert
    expect(calls).not.toContain('CancelShipment');
  });

  it('retries a shipment cancellation that fails transiently and still cancels', async () => {
    // Act
    const { calls, output } = await run({
      CreateShipment: failing('ShippingError'),
      CancelShipment: failingTimes(2, 'CarrierGatewayError', 'CancelShipment'),
    });

    // Assert
    expect(calls.filter((call) => call === 'CancelShipment')).toHaveLength(3);
    expect(calls.slice(-3)).toEqual(['RefundPayment', 'ReleaseInventory', 'RecordCancelled']);
    expect(output).toMatchObject({ outcome: { status: 'CANCELLED' } });
  });

  it('holds the money and the stock while the parcel may still leave: fails at CancelShipment after its retries', async () => {
    // Act
    const { calls, failure } = await run({
      CreateShipment: failing('CarrierGatewayError'),
      CancelShipment: failing('CarrierGatewayError', 'carrier unreachable'),
    });

    // Assert: no catch-all after the retries, so a redrive resumes at CancelShipment
    expect(calls.filter((call) => call === 'CancelShipment')).toHaveLength(9);
    expect(calls.at(-1)).toBe('CancelShipment');
    expect(failure).toMatchObject({ error: 'CarrierGatewayError' });
  });

  it('retries a compensation that fails transiently and still cancels', async () => {
    // Act
    const { calls, output } = await run({
      CreateShipment: failing('ShippingError'),
      RefundPayment: failingTimes(3, 'PaymentGatewayError', 'RefundPayment'),
    });

    // Assert
    expect(calls.filter((call) => call === 'RefundPayment')).toHaveLength(4);
    expect(calls.filter((call) => call === 'ReleaseInventory')).toHaveLength(1);
    expect(calls.at(-1)).toBe('RecordCancelled');
    expect(output).toMatchObject({ outcome: { status: 'CANCELLED' } });
  });

  it('still releases the stock when the refund fails for good, then fails the execution in the refund', async () => {
    // Act
    const { calls, failure } = await run({
      CreateShipment: failing('ShippingError'),
      RefundPayment: failing('PaymentGatewayError', 'refunds unavailable'),
    });

    // Assert: the release ran in its own branch; nothing was recorded, the execution-ended rule will
    expect(calls.filter((call) => call === 'RefundPayment')).toHaveLength(9);
    expect(calls.filter((call) => call === 'ReleaseInventory')).toHaveLength(1);
    expect(calls).not.toContain('RecordCancelled');
    expect(failure).toMatchObject({ error: 'PaymentGatewayError' });
    expect(failure?.cause).toContain('refunds unavailable');
  });

  it('fails the execution in the release when the release fails for good', async () => {
    // Act
    const { calls, failure } = await run({
      ChargePayment: failing('PaymentDeclined'),
      ReleaseInventory: failing('TransientStoreError'),
    });

    // Assert
    expect(calls.filter((call) => call === 'ReleaseInventory')).toHaveLength(9);
    expect(calls).not.toContain('RecordCancelled');
    expect(failure?.error).toBe('TransientStoreError');
  });

  it.each(['InvalidSagaInput', 'ShipmentContradiction', 'TypeError'])(
    'never retries %s in a compensation: it cannot go away',
    async (error) => {
      // Act
      const { calls, failure } = await run({
        CreateShipment: failing('ShippingError'),
        CancelShipment: failing(error),
      });

      // Assert
      expect(calls.filter((call) => call === 'CancelShipment')).toHaveLength(1);
      expect(calls.at(-1)).toBe('CancelShipment');
      expect(failure?.error).toBe(error);
    },
  );

  it('never retries an outcome record that fails on its own payload', async () => {
    // Act
    const { calls, failure } = await run({
      ReserveInventory: failing('OutOfStock'),
      RecordRejected: failing('InvalidSagaInput'),
    });

    // Assert
    expect(calls.filter((call) => call === 'RecordRejected')).toHaveLength(1);
    expect(failure?.error).toBe('InvalidSagaInput');
  });

  it('hands a paid, shipped order to a person when confirming fails, undoing nothing', async () => {
    // Act
    const { calls, failure } = await run({ ConfirmOrder: failing('OrderStatusConflict') });

    // Assert: the execution fails at ConfirmOrder, where a redrive resumes
    expect(calls).toEqual(['ReserveInventory', 'ChargePayment', 'CreateShipment', 'ConfirmOrder']);
    expect(failure?.error).toBe('OrderStatusConflict');
  });

  it('fails the execution when the outcome cannot be written, for the execution-ended rule to see', async () => {
    // Act
    const { calls, failure } = await run({
      ReserveInventory: failing('OutOfStock'),
      RecordRejected: failing('TransientStoreError'),
    });

    // Assert
    expect(calls.filter((call) => call === 'RecordRejected')).toHaveLength(9);
    expect(failure?.error).toBe('TransientStoreError');
  });
});

describe('order saga input (fake steps)', () => {
  it('runs an execution started with the order itself, pasted as a person would', async () => {
    // Arrange
    const order = buildOrder();

    // Act
    const { calls, output, payloads } = await runSagaWithFakes(order, {}, succeeding);

    // Assert
    expect(calls).toEqual([
      'AcceptOrder',
      'ReserveInventory',
      'ChargePayment',
      'CreateShipment',
      'ConfirmOrder',
    ]);
    expect(payloads.ReserveInventory?.[0]).toEqual({
      order: expect.objectContaining({ orderId: order.orderId }),
      correlationId: expect.stringMatching(/^execution:/),
    });
    expect(output).toMatchObject({ confirmation: { status: 'COMPLETED' } });
  });

  it('hands AcceptOrder the raw input and the execution it runs in', async () => {
    // Act
    const { payloads } = await runSagaWithFakes({ not: 'an order' }, {}, succeeding);

    // Assert
    expect(payloads.AcceptOrder?.[0]).toEqual({
      input: { not: 'an order' },
      executionArn: expect.any(String),
      executionName: expect.any(String),
    });
  });

  it.each(['InvalidSagaInput', 'ConflictingDuplicate', 'SagaAlreadyStarted'])(
    'fails fast on %s, before any step runs and without compensations or retries',
    async (error) => {
      // Act
      const { calls, failure } = await runSagaWithFakes(
        { not: 'an order' },
        { AcceptOrder: failing(error, 'the input lists its problems') },
        succeeding,
      );

      // Assert
      expect(calls).toEqual(['AcceptOrder']);
      expect(failure?.error).toBe('SagaInputRefused');
      expect(failure?.cause).toContain('the input lists its problems');
    },
  );

  it('retries AcceptOrder on an infrastructure error and then runs the saga', async () => {
    // Act
    const { calls, failure } = await runSagaWithFakes(
      sagaInput(buildOrder()),
      {
        AcceptOrder: (payload, call) =>
          call === 1 ? failing('Lambda.ServiceException')(payload, call) : accepting(payload, call),
      },
      succeeding,
    );

    // Assert
    expect(failure).toBeUndefined();
    expect(calls.slice(0, 3)).toEqual(['AcceptOrder', 'AcceptOrder', 'ReserveInventory']);
  });
});
