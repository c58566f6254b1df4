import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { SnsNotifier } from '#shared/adapters/sns-notifier';
import { makeDocumentClient, makeDynamoDbClient, makeSnsClient, makeSqsClient } from '#shared/aws/clients';
import { gateCalls, Lockstep } from '../helpers/dynamo-gate';
import { uniqueName } from '../helpers/names';
import {
  carrierHasLiveParcel,
  providerNetChargeCents,
  putNewOrder,
  putReceivedOrder,
  readOrder,
  readPayment,
  readReservation,
  readStock,
  seedStock,
  uniqueSkuPrefix,
} from '../helpers/saga-items';
import { buildOrder, type OrderOptions, sagaInput } from '../helpers/saga-orders';
import { type RealSagaSteps, realSagaSteps } from '../helpers/saga-real-steps';
import { type SagaTables, setUpSagaTables } from '../helpers/saga-tables';
import {
  type Outcome,
  outcomeOf,
  outcomeOfSettled,
  type Retrier,
  retriersOf,
  runAsTask,
  verdict,
} from '../helpers/saga-tasks';

/**
 * A retried timeout can start a second invocation of a step while the first is still running, so
 * every step must be safe when two copies run at once, not only when repeated. Each test runs two
 * copies in lockstep (test/helpers/dynamo-gate.ts): a copy's k-th DynamoDB call goes out together
 * with the other's k-th call, so both read before either writes. Each copy is a Task of the saga,
 * retried as its `Retry` says (without the backoff), over the real adapters and DynamoDB Local.
 */

const dynamodb = gateCalls(makeDynamoDbClient());
const documentClient = makeDocumentClient(dynamodb);
const sns = makeSnsClient();
const sqs = makeSqsClient();
let tables: SagaTables;
let steps: RealSagaSteps;
let queueUrl: string;

/** A queue subscribed to the topic, to see what ConfirmOrder announced. */
const subscribeQueue = async (topicArn: string): Promise<string> => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('notifications') }));
  if (!QueueUrl) throw new Error('CreateQueue returned no QueueUrl');
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: Attributes?.QueueArn,
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );
  return QueueUrl;
};

/** Notifications about the order, until `expected` arrived or the deadline passed (long polls, no sleeps). */
const notificationsFor = async (
  orderId: string,
  expected: number,
  deadlineMs = 5_000,
): Promise<Message[]> => {
  const deadline = Date.now() + deadlineMs;
  const found: Message[] = [];
  while (Date.now() < deadline && found.length < expected) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    found.push(...(Messages ?? []).filter((message) => message.Body?.includes(orderId)));
  }
  return found;
};

beforeAll(async () => {
  const created = await sns.send(new CreateTopicCommand({ Name: uniqueName('notifications') }));
  if (!created.TopicArn) throw new Error('CreateTopic returned no TopicArn');
  queueUrl = await subscribeQueue(created.TopicArn);
  tables = await setUpSagaTables(dynamodb, created.TopicArn);
  steps = realSagaSteps(documentClient, tables, new SnsNotifier(sns, created.TopicArn));
});

afterAll(() => {
  dynamodb.destroy();
  sns.destroy();
  sqs.destroy();
});

const SEED = 10;

/** An order of 2 × A and 1 × B (total 2,500 cents) on fresh skus stocked with 10 each, RECEIVED. */
const stockedOrder = async (options: OrderOptions = {}) => {
  const prefix = uniqueSkuPrefix();
  const skus = [`${prefix}-A`, `${prefix}-B`] as const;
  await seedStock(documentClient, tables, { [skus[0]]: SEED, [skus[1]]: SEED });
  const input = await putNewOrder(documentClient, tables, {
    ...options,
    items: [
      { sku: skus[0], quantity: 2, unitPriceCents: 1_000 },
      { sku: skus[1], quantity: 1, unitPriceCents: 500 },
    ],
  });
  const orderId = input.order.orderId;
  return {
    input,
    orderId,
    skus,
    seeded: { [skus[0]]: SEED, [skus[1]]: SEED },
    stock: () => readStock(documentClient, tables, skus),
    order: () => readOrder(documentClient, tables, orderId),
    payment: () => readPayment(documentClient, tables, orderId),
    reservation: () => readReservation(documentClient, tables, orderId),
    providerNet: () => providerNetChargeCents(documentClient, tables, orderId),
    liveParcel: () => carrierHasLiveParcel(documentClient, tables, orderId),
  };
};

const statusesOf = (record: { history: readonly { status: string }[] } | undefined): string[] =>
  record?.history.map((entry) => entry.status) ?? [];

/** Runs differently named copies in lockstep, each as a Task with `retriers`; their outcomes by name. */
const inLockstep = async <T>(
  retriers: readonly Retrier[],
  copies: Readonly<Record<string, () => Promise<T>>>,
  headStart: Readonly<Record<string, number>> = {},
): Promise<Record<string, Outcome<T>>> => {
  const names = Object.keys(copies);
  const gate = new Lockstep(names, headStart);
  const tasks = Object.fromEntries(
    Object.entries(copies).map(([name, invoke]) => [name, () => runAsTask(retriers, invoke)]),
  );
  const results = await gate.run(tasks);
  return Object.fromEntries(
    names.map((name, index) => {
      const result = results[index];
      if (result === undefined) throw new Error(`no result for ${name}`);
      return [name, outcomeOfSettled(result)];
    }),
  );
};

/** Two copies of the same Task at once; their outcomes, first copy first. */
const twoAtOnce = async <T>(state: string, invoke: () => Promise<T>): Promise<[Outcome<T>, Outcome<T>]> => {
  const outcomes = await inLockstep(retriersOf(state), { first: invoke, second: invoke });
  if (outcomes.first === undefined || outcomes.second === undefined) throw new Error('a copy is missing');
  return [outcomes.first, outcomes.second];
};

const valuesOf = <T>(outcomes: readonly Outcome<T>[]): T[] =>
  outcomes.map((outcome) => {
    if (!outcome.ok) throw new Error(`a copy failed: ${outcome.error}: ${outcome.message}`);
    return outcome.value;
  });

const executionArnFor = (name: string): string =>
  `arn:aws:states:us-east-1:123456789012:execution:OrderSaga:${name}`;

describe('two copies of each saga step at once, against DynamoDB Local', () => {
  it.each([
    ['the pipeline recorded the order first', true],
    ['nothing recorded the order yet', false],
  ])('accepts the order once for one execution run twice at once when %s', async (_, recorded) => {
    // Arrange
    const input = sagaInput(buildOrder());
    const { orderId } = input.order;
    if (recorded) await putReceivedOrder(documentClient, tables, input);
    const request = { input, executionArn: executionArnFor(orderId), executionName: orderId };

    // Act
    const outcomes = await twoAtOnce('AcceptOrder', () => steps.AcceptOrder(request));

    // Assert
    expect(valuesOf(outcomes)).toEqual([input, input]);
    const stored = await readOrder(documentClient, tables, orderId);
    expect(stored).toMatchObject({ status: 'RECEIVED', sagaExecutionArn: request.executionArn });
    expect(statusesOf(stored)).toEqual(['RECEIVED']);
  });

  it('lets exactly one of two executions started at once own the order and refuses the other', async () => {
    // Arrange
    const input = sagaInput(buildOrder());
    const { orderId } = input.order;
    const accept = (name: string) => () =>
      steps.AcceptOrder({ input, executionArn: executionArnFor(name), executionName: name });

    // Act
    const outcomes = await inLockstep(retriersOf('AcceptOrder'), {
      [orderId]: accept(orderId),
      [`${orderId}-again`]: accept(`${orderId}-again`),
    });

    // Assert
    const winners = Object.entries(outcomes).filter(([, outcome]) => outcome.ok);
    const losers = Object.values(outcomes).filter((outcome) => !outcome.ok);
    expect(winners).toHaveLength(1);
    expect(losers.map(verdict)).toEqual(['SagaAlreadyStarted']);
    const stored = await readOrder(documentClient, tables, orderId);
    expect(stored?.sagaExecutionArn).toBe(executionArnFor(winners[0]?.[0] ?? 'nobody'));
    expect(statusesOf(stored)).toEqual(['RECEIVED']);
  });

  it('takes the stock once and records one reservation', async () => {
    // Arrange
    const { input, skus, stock, order, reservation } = await stockedOrder();

    // Act
    const outcomes = await twoAtOnce('ReserveInventory', () => steps.ReserveInventory(input));

    // Assert
    const [first, second] = valuesOf(outcomes);
    expect(second).toEqual(first);
    expect(await stock()).toEqual({ [skus[0]]: SEED - 2, [skus[1]]: SEED - 1 });
    expect(await reservation()).toMatchObject({ status: 'RESERVED', reservedAt: first?.reservedAt });
    expect(statusesOf(await order())).toEqual(['RECEIVED', 'RESERVED']);
  });

  it.each([
    ['tok_visa', 1],
    ['tok_flaky', 3],
  ])('charges a %s order once at the provider and records one CHARGED', async (token, minAttempts) => {
    // Arrange
    const { input, orderId, payment, providerNet, order } = await stockedOrder({ token });

    // Act
    const outcomes = await twoAtOnce('ChargePayment', () => steps.ChargePayment(input));

    // Assert
    const charged = {
      status: 'CHARGED',
      chargeId: `ch_${orderId}`,
      amountCents: input.order.totalCents,
      currency: input.order.currency,
    };
    expect(valuesOf(outcomes)).toEqual([charged, charged]);
    expect(await providerNet()).toBe(input.order.totalCents);
    const ledger = await payment();
    expect(ledger).toMatchObject({ status: 'CHARGED', chargeId: `ch_${orderId}` });
    expect(ledger?.attempts).toBeGreaterThanOrEqual(minAttempts);
    expect(statusesOf(await order())).toEqual(['RECEIVED', 'CHARGED']);
  });

  it('takes a tok_charge_timeout charge once while both copies lose every answer', async () => {
    // Arrange
    const { input, payment, providerNet, order } = await stockedOrder({ token: 'tok_charge_timeout' });

    // Act
    const outcomes = await twoAtOnce('ChargePayment', () => steps.ChargePayment(input));

    // Assert: each copy gave up after its retries; the provider holds one charge, the ledger no result.
    expect(outcomes.map(verdict)).toEqual(['PaymentGatewayError', 'PaymentGatewayError']);
    expect(await providerNet()).toBe(input.order.totalCents);
    expect(await payment()).toMatchObject({ status: 'PENDING', attempts: 10 });
    expect(statusesOf(await order())).toEqual(['RECEIVED']);
  });

  it('books one parcel, stores it once and records one SHIPPED', async () => {
    // Arrange
    const { input, order, liveParcel } = await stockedOrder();

    // Act
    const outcomes = await twoAtOnce('CreateShipment', () => steps.CreateShipment(input));

    // Assert
    const [first, second] = valuesOf(outcomes);
    expect(second).toEqual(first);
    expect(await liveParcel()).toBe(true);
    const stored = await order();
    expect(stored?.shipment).toEqual(first);
    expect(statusesOf(stored)).toEqual(['RECEIVED', 'SHIPPED']);
  });

  it('books one parcel for postal code 99998 while both copies lose every answer', async () => {
    // Arrange
    const { input, order, liveParcel } = await stockedOrder({ postalCode: '99998' });

    // Act
    const outcomes = await twoAtOnce('CreateShipment', () => steps.CreateShipment(input));

    // Assert: booked once at the carrier (its book holds one booking per order), attached nowhere.
    expect(outcomes.map(verdict)).toEqual(['CarrierGatewayError', 'CarrierGatewayError']);
    expect(await liveParcel()).toBe(true);
    const stored = await order();
    expect(stored?.shipment).toBeUndefined();
    expect(statusesOf(stored)).toEqual(['RECEIVED']);
  });

  it('completes the order once and announces it at least once, every time with the one completion time', async () => {
    // Arrange
    const { input, orderId, order } = await stockedOrder();

    // Act
    const outcomes = await twoAtOnce('ConfirmOrder', () => steps.ConfirmOrder(input));

    // Assert: one COMPLETED transition; both copies announce (at-least-once, as documented).
    expect(valuesOf(outcomes).map(({ summary }) => summary)).toEqual([
      { status: 'COMPLETED', notified: true },
      { status: 'COMPLETED', notified: true },
    ]);
    const stored = await order();
    expect(statusesOf(stored)).toEqual(['RECEIVED', 'COMPLETED']);
    const completedAt = stored?.history.find((entry) => entry.status === 'COMPLETED')?.at;
    const announced = await notificationsFor(orderId, 2);
    expect(announced.length).toBeGreaterThanOrEqual(1);
    for (const message of announced) {
      expect(JSON.parse(message.Body ?? '{}')).toMatchObject({
        eventType: 'OrderCompleted',
        orderId,
        completedAt,
      });
    }
  });

  it('cancels a booked parcel once and leaves none live', async () => {
    // Arrange
    const { input, order, liveParcel } = await stockedOrder();
    const shipment = await steps.CreateShipment(input);

    // Act
    const outcomes = await twoAtOnce('CancelShipment', () => steps.CancelShipment(input));

    // Assert
    const cancelled = { outcome: 'CANCELLED', trackingId: shipment.trackingId };
    expect(valuesOf(outcomes)).toEqual([cancelled, cancelled]);
    expect(await liveParcel()).toBe(false);
    expect((await order())?.shipmentCancelledAt).toEqual(expect.any(String));
    await expect(steps.CreateShipment(input)).rejects.toMatchObject({ name: 'ShipmentCancelled' });
  });

  it('cancels an order nothing was booked for once, so no booking is made for it later', async () => {
    // Arrange
    const { input, liveParcel } = await stockedOrder();

    // Act
    const outcomes = await twoAtOnce('CancelShipment', () => steps.CancelShipment(input));

    // Assert
    const nothing = { outcome: 'NOTHING_TO_CANCEL', trackingId: null };
    expect(valuesOf(outcomes)).toEqual([nothing, nothing]);
    await expect(steps.CreateShipment(input)).rejects.toMatchObject({ name: 'ShipmentCancelled' });
    expect(await liveParcel()).toBe(false);
  });

  it('refunds a charge once at the provider and records one REFUNDED', async () => {
    // Arrange
    const { input, orderId, payment, providerNet } = await stockedOrder();
    await steps.ChargePayment(input);

    // Act
    const outcomes = await twoAtOnce('RefundPayment', () => steps.RefundPayment(input));

    // Assert
    for (const value of valuesOf(outcomes)) {
      expect(value).toEqual({
        outcome: expect.stringMatching(/^(REFUNDED|ALREADY_REFUNDED)$/),
        refundId: `re_${orderId}`,
        amountCents: input.order.totalCents,
      });
    }
    expect(await providerNet()).toBe(0);
    expect(await payment()).toMatchObject({ status: 'REFUNDED', refundId: `re_${orderId}` });
    await expect(steps.ChargePayment(input)).rejects.toMatchObject({ name: 'PaymentAlreadyRefunded' });
  });

  it('voids a lost charge once and gives the money back once', async () => {
    // Arrange: the provider took the money, the answer never came back.
    const { input, orderId, payment, providerNet } = await stockedOrder({ token: 'tok_charge_timeout' });
    await expect(steps.ChargePayment(input)).rejects.toMatchObject({ name: 'PaymentGatewayError' });
    const taken = await providerNet();

    // Act
    const outcomes = await twoAtOnce('RefundPayment', () => steps.RefundPayment(input));

    // Assert
    const refunded = { outcome: 'REFUNDED', refundId: `re_${orderId}`, amountCents: input.order.totalCents };
    expect(taken).toBe(input.order.totalCents);
    expect(valuesOf(outcomes)).toEqual([refunded, refunded]);
    expect(await providerNet()).toBe(0);
    expect(await payment()).toMatchObject({ status: 'VOIDED', voidOutcome: 'REFUNDED' });
    await expect(steps.ChargePayment(input)).rejects.toMatchObject({ name: 'PaymentVoided' });
  });

  it('voids a payment that was never charged once, so no charge lands later', async () => {
    // Arrange
    const { input, payment, providerNet } = await stockedOrder();

    // Act
    const outcomes = await twoAtOnce('RefundPayment', () => steps.RefundPayment(input));

    // Assert
    const nothing = { outcome: 'NOTHING_TO_REFUND', refundId: null, amountCents: 0 };
    expect(valuesOf(outcomes)).toEqual([nothing, nothing]);
    expect(await payment()).toMatchObject({ status: 'VOIDED', voidOutcome: 'NOT_CHARGED', attempts: 0 });
    await expect(steps.ChargePayment(input)).rejects.toMatchObject({ name: 'PaymentVoided' });
    expect(await providerNet()).toBe(0);
  });

  it('gives the stock back once and marks the reservation RELEASED', async () => {
    // Arrange
    const { input, seeded, stock, reservation } = await stockedOrder();
    await steps.ReserveInventory(input);

    // Act
    const outcomes = await twoAtOnce('ReleaseInventory', () => steps.ReleaseInventory(input));

    // Assert: the copy that lost the race reports what the winner gave back.
    const values = valuesOf(outcomes);
    expect(values.map((value) => value.outcome).sort()).toEqual(['ALREADY_RELEASED', 'RELEASED']);
    expect(values[0]?.lines).toEqual(values[1]?.lines);
    expect(await stock()).toEqual(seeded);
    expect(await reservation()).toMatchObject({ status: 'RELEASED' });
  });

  it('leaves one release marker for an order nothing was reserved for, so no stock is taken later', async () => {
    // Arrange
    const { input, seeded, stock } = await stockedOrder();

    // Act
    const outcomes = await twoAtOnce('ReleaseInventory', () => steps.ReleaseInventory(input));

    // Assert
    const nothing = { outcome: 'NOTHING_TO_RELEASE', lines: [] };
    expect(valuesOf(outcomes)).toEqual([nothing, nothing]);
    await expect(steps.ReserveInventory(input)).rejects.toMatchObject({ name: 'ReservationReleased' });
    expect(await stock()).toEqual(seeded);
  });

  it('records the outcome once and keeps one history entry for it', async () => {
    // Arrange
    const { input, order } = await stockedOrder();
    const state = { ...input, error: { Error: 'PaymentDeclined', Cause: 'card declined' } };

    // Act
    const outcomes = await twoAtOnce('RecordCancelled', () =>
      steps.RecordOutcome({ status: 'CANCELLED', state }),
    );

    // Assert
    const values = valuesOf(outcomes);
    expect(values.map((value) => value.changed).sort()).toEqual([false, true]);
    expect(values.map((value) => value.status)).toEqual(['CANCELLED', 'CANCELLED']);
    const stored = await order();
    expect(stored).toMatchObject({ status: 'CANCELLED', statusReason: 'PaymentDeclined: card declined' });
    expect(statusesOf(stored)).toEqual(['RECEIVED', 'CANCELLED']);
  });

  it('marks the order NEEDS_ATTENTION once when the execution-ended event arrives twice at once', async () => {
    // Arrange: the rule's target is invoked asynchronously; no Task retrier applies.
    const { input, orderId, order } = await stockedOrder();
    const ended = {
      name: orderId,
      status: 'TIMED_OUT',
      executionArn: executionArnFor(orderId),
      input: JSON.stringify(input),
    };

    // Act
    const outcomes = await inLockstep([], {
      first: () => steps.ExecutionEnded(ended),
      second: () => steps.ExecutionEnded(ended),
    });

    // Assert: one write; both copies are the same writer (the execution's ending), so the one that
    // lost the race recognises the write as its own, as after a lost answer: counted at least once
    const values = valuesOf(Object.values(outcomes));
    expect(values.map((value) => value.action)).toEqual(['marked', 'marked']);
    const stored = await order();
    expect(stored).toMatchObject({ status: 'NEEDS_ATTENTION', statusReason: 'execution TIMED_OUT' });
    expect(statusesOf(stored)).toEqual(['RECEIVED', 'NEEDS_ATTENTION']);
  });
});

/**
 * How a forward step and its compensation meet: one completes before the other starts, or they run
 * in lockstep, one of them some DynamoDB calls ahead.
 */
type Arrangement =
  | { readonly first: 'forward' | 'compensation' }
  | { readonly headStart: Readonly<{ forward?: number; compensation?: number }> };

const ARRANGEMENTS: readonly (readonly [string, Arrangement])[] = [
  ['the compensation completes first', { first: 'compensation' }],
  ['the compensation 5 calls ahead', { headStart: { compensation: 5 } }],
  ['the compensation 3 calls ahead', { headStart: { compensation: 3 } }],
  ['the compensation 1 call ahead', { headStart: { compensation: 1 } }],
  ['both at once', { headStart: {} }],
  ['the forward step 1 call ahead', { headStart: { forward: 1 } }],
  ['the forward step 3 calls ahead', { headStart: { forward: 3 } }],
  ['the forward step 5 calls ahead', { headStart: { forward: 5 } }],
  ['the forward step completes first', { first: 'forward' }],
];

interface Race {
  readonly forward: Outcome<unknown>;
  readonly compensation: Outcome<unknown>;
}

/** A forward Task and its compensation Task, arranged as asked; both retried as the saga retries them. */
const race = async (
  arrangement: Arrangement,
  forward: readonly [state: string, invoke: () => Promise<unknown>],
  compensation: readonly [state: string, invoke: () => Promise<unknown>],
): Promise<Race> => {
  const forwardTask = () => runAsTask(retriersOf(forward[0]), forward[1]);
  const compensationTask = () => runAsTask(retriersOf(compensation[0]), compensation[1]);
  if ('first' in arrangement) {
    if (arrangement.first === 'forward') {
      const forwardOutcome = await outcomeOf(forwardTask());
      return { forward: forwardOutcome, compensation: await outcomeOf(compensationTask()) };
    }
    const compensationOutcome = await outcomeOf(compensationTask());
    return { forward: await outcomeOf(forwardTask()), compensation: compensationOutcome };
  }
  const outcomes = await inLockstep(
    [],
    { forward: forwardTask, compensation: compensationTask },
    arrangement.headStart,
  );
  if (outcomes.forward === undefined || outcomes.compensation === undefined)
    throw new Error('a task is missing');
  return { forward: outcomes.forward, compensation: outcomes.compensation };
};

/** What the compensation reported, once it completed (it must). */
const completed = (outcome: Outcome<unknown>): Record<string, unknown> => {
  if (!outcome.ok) throw new Error(`the compensation failed: ${outcome.error}: ${outcome.message}`);
  return outcome.value as Record<string, unknown>;
};

/** The forward step's verdict when it ran alone, before or after its compensation. */
const expectedAlone = (arrangement: Arrangement, before: string, after: string): string | undefined =>
  'first' in arrangement ? (arrangement.first === 'forward' ? before : after) : undefined;

describe('a forward step racing its compensation, against DynamoDB Local', () => {
  describe.each([
    ['tok_visa', 'ok'],
    ['tok_charge_timeout', 'PaymentGatewayError'],
  ])('ChargePayment and RefundPayment for %s', (token, aloneBefore) => {
    it.each(ARRANGEMENTS)(
      'holds no money once the refund completed, and refuses a late charge: %s',
      async (_, arrangement) => {
        // Arrange
        const { input, payment, providerNet } = await stockedOrder({ token });

        // Act
        const { forward, compensation } = await race(
          arrangement,
          ['ChargePayment', () => steps.ChargePayment(input)],
          ['RefundPayment', () => steps.RefundPayment(input)],
        );
        const late = await outcomeOf(steps.ChargePayment(input));

        // Assert
        const refund = completed(compensation);
        expect(await providerNet()).toBe(0);
        const ledger = await payment();
        expect(['REFUNDED', 'VOIDED']).toContain(ledger?.status);
        if (ledger?.status === 'VOIDED') expect(ledger.voidOutcome).toBeDefined();
        const refused = [
          'PaymentVoided',
          'PaymentLedgerConflict',
          'PaymentAlreadyRefunded',
          'PaymentDeclined',
        ];
        expect(['ok', aloneBefore, ...refused]).toContain(verdict(forward));
        if (forward.ok) expect(refund.outcome).toMatch(/REFUNDED$/);
        const alone = expectedAlone(arrangement, aloneBefore, 'PaymentVoided');
        if (alone !== undefined) expect(verdict(forward)).toBe(alone);
        expect(['PaymentVoided', 'PaymentAlreadyRefunded']).toContain(verdict(late));
        expect(await providerNet()).toBe(0);
      },
    );
  });

  describe.each([
    ['10115', 'ok'],
    ['99998', 'CarrierGatewayError'],
  ])('CreateShipment and CancelShipment for postal code %s', (postalCode, aloneBefore) => {
    it.each(ARRANGEMENTS)(
      'leaves no live parcel once the cancellation completed, and refuses a late booking: %s',
      async (_, arrangement) => {
        // Arrange
        const { input, order, liveParcel } = await stockedOrder({ postalCode });

        // Act
        const { forward, compensation } = await race(
          arrangement,
          ['CreateShipment', () => steps.CreateShipment(input)],
          ['CancelShipment', () => steps.CancelShipment(input)],
        );
        const late = await outcomeOf(steps.CreateShipment(input));

        // Assert
        const cancellation = completed(compensation);
        expect(await liveParcel()).toBe(false);
        expect((await order())?.shipmentCancelledAt).toEqual(expect.any(String));
        expect(['ok', aloneBefore, 'ShipmentCancelled', 'ShippingError']).toContain(verdict(forward));
        if (forward.ok) expect(cancellation.outcome).toBe('CANCELLED');
        const alone = expectedAlone(arrangement, aloneBefore, 'ShipmentCancelled');
        if (alone !== undefined) expect(verdict(forward)).toBe(alone);
        expect(verdict(late)).toBe('ShipmentCancelled');
        expect(await liveParcel()).toBe(false);
      },
    );
  });

  describe('ReserveInventory and ReleaseInventory', () => {
    it.each(ARRANGEMENTS)(
      'gives all stock back once the release completed, and refuses a late reservation: %s',
      async (_, arrangement) => {
        // Arrange
        const { input, seeded, stock, reservation } = await stockedOrder();

        // Act
        const { forward, compensation } = await race(
          arrangement,
          ['ReserveInventory', () => steps.ReserveInventory(input)],
          ['ReleaseInventory', () => steps.ReleaseInventory(input)],
        );
        const late = await outcomeOf(steps.ReserveInventory(input));

        // Assert
        const release = completed(compensation);
        expect(await stock()).toEqual(seeded);
        expect(await reservation()).toMatchObject({ status: 'RELEASED' });
        expect(['ok', 'ReservationReleased']).toContain(verdict(forward));
        if (forward.ok) expect(release.outcome).toMatch(/^(RELEASED|ALREADY_RELEASED)$/);
        const alone = expectedAlone(arrangement, 'ok', 'ReservationReleased');
        if (alone !== undefined) expect(verdict(forward)).toBe(alone);
        expect(verdict(late)).toBe('ReservationReleased');
        expect(await stock()).toEqual(seeded);
      },
    );
  });
});
