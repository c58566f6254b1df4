import {
  GetExecutionHistoryCommand,
  type HistoryEvent,
  type SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { makeDocumentClient, makeDynamoDbClient, makeSfnClient, makeSnsClient } from '#shared/aws/clients';
import { canonicalize, contentHash } from '#shared/schemas/order-placed';
import { repairOrder } from '../../cli/repair/repair';
import { endOutage, startOutage } from '../../cli/sim/outage';
import type { ExecutionStatusChangeEvent } from '../../functions/saga/execution-ended/handler';
import { type LocalStepFunctions, startLocalStepFunctions } from '../../local/sfn';
import { uniqueName } from '../helpers/names';
import {
  carrierHasLiveParcel,
  netChargeCents,
  providerNetChargeCents,
  putNewOrder,
  readOrder,
  readPayment,
  readReservation,
  readStock,
  seedStock,
  uniqueSkuPrefix,
} from '../helpers/saga-items';
import { importSagaHandlers, invokedTwice, sagaStateMachine } from '../helpers/saga-local';
import { buildOrder } from '../helpers/saga-orders';
import { SHIPMENT_FAILED_TASKS } from '../helpers/saga-paths';
import { type SagaTables, setUpSagaTables } from '../helpers/saga-tables';

jest.setTimeout(60_000);

const dynamodb = makeDynamoDbClient();
const documentClient = makeDocumentClient(dynamodb);
const sns = makeSnsClient();
let tables: SagaTables;
/** Durations × 0.05: retries and task timeouts run 20 times faster than the ASL declares. */
let fast: LocalStepFunctions;
/** Real timing, with a 2-second execution timeout, for the one test that needs TIMED_OUT. */
let realTime: LocalStepFunctions;
let sfn: SFNClient;
let sfnRealTime: SFNClient;
/** The execution-ended function, as the EventBridge rule invokes it. */
let executionEnded: (event: ExecutionStatusChangeEvent) => Promise<unknown>;

const STOCK = 10;

beforeAll(async () => {
  const topic = await sns.send(new CreateTopicCommand({ Name: uniqueName('saga-notifications') }));
  tables = await setUpSagaTables(dynamodb, topic.TopicArn ?? '');
  const handlers = await importSagaHandlers();
  executionEnded = (await import('../../functions/saga/execution-ended/handler')).handler;
  // The EventBridge rule's part: FAILED / TIMED_OUT / ABORTED reach the execution-ended function.
  const onExecutionStatusChange = (event: ExecutionStatusChangeEvent) => executionEnded(event);
  fast = await startLocalStepFunctions({
    timeScale: 0.05,
    stateMachines: [
      sagaStateMachine('OrderSaga', handlers),
      sagaStateMachine('OrderSagaInvokedTwice', invokedTwice(handlers)),
    ],
    onExecutionStatusChange,
  });
  realTime = await startLocalStepFunctions({
    stateMachines: [
      sagaStateMachine('OrderSagaShortTimeout', handlers, (definition) => {
        definition.TimeoutSeconds = 2;
      }),
    ],
    onExecutionStatusChange,
  });
  process.env.AWS_ENDPOINT_URL_SFN = fast.endpoint;
  sfn = makeSfnClient();
  process.env.AWS_ENDPOINT_URL_SFN = realTime.endpoint;
  sfnRealTime = makeSfnClient();
});

afterAll(async () => {
  await Promise.all([fast?.stop(), realTime?.stop()]);
  for (const client of [dynamodb, sns, sfn, sfnRealTime]) client?.destroy();
});

interface OrderSetup {
  readonly token?: string;
  readonly country?: string;
  readonly postalCode?: string;
  readonly stockB?: number;
  readonly machine?: string;
  readonly endpoint?: LocalStepFunctions;
  readonly client?: SFNClient;
}

/** Stocks two fresh skus, writes the RECEIVED order as process-order does, and starts its saga. */
const startOrder = async (setup: OrderSetup = {}) => {
  const endpoint = setup.endpoint ?? fast;
  const client = setup.client ?? sfn;
  const prefix = uniqueSkuPrefix();
  const skus = [`${prefix}-A`, `${prefix}-B`];
  await seedStock(documentClient, tables, { [`${prefix}-A`]: STOCK, [`${prefix}-B`]: setup.stockB ?? STOCK });
  const input = await putNewOrder(documentClient, tables, {
    items: [
      { sku: `${prefix}-A`, quantity: 2, unitPriceCents: 1_250 },
      { sku: `${prefix}-B`, quantity: 1, unitPriceCents: 4_999 },
    ],
    ...(setup.token ? { token: setup.token } : {}),
    ...(setup.country ? { country: setup.country } : {}),
    ...(setup.postalCode ? { postalCode: setup.postalCode } : {}),
  });
  const orderId = input.order.orderId;
  const started = await client.send(
    new StartExecutionCommand({
      stateMachineArn: endpoint.stateMachineArn(setup.machine ?? 'OrderSaga'),
      name: orderId,
      input: JSON.stringify(input),
    }),
  );
  const executionArn = started.executionArn ?? '';
  return {
    orderId,
    executionArn,
    initialStock: { [`${prefix}-A`]: STOCK, [`${prefix}-B`]: setup.stockB ?? STOCK },
    totalCents: input.order.totalCents,
    finished: () => endpoint.waitForExecution(executionArn),
    order: () => readOrder(documentClient, tables, orderId),
    payment: () => readPayment(documentClient, tables, orderId),
    reservation: () => readReservation(documentClient, tables, orderId),
    stock: () => readStock(documentClient, tables, skus),
    history: () => historyOf(client, executionArn),
  };
};

type Started = Awaited<ReturnType<typeof startOrder>>;

/** The stock after the order took `a` of its first sku and `b` of its second. */
const taken = (started: Started, a: number, b: number): Record<string, number> => {
  const [skuA, skuB] = Object.keys(started.initialStock);
  return { [skuA ?? 'A']: STOCK - a, [skuB ?? 'B']: STOCK - b };
};

const historyOf = async (client: SFNClient, executionArn: string): Promise<HistoryEvent[]> => {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
};

/** The Task states entered, in order (retries are TaskScheduled again inside one entry). */
const tasksEntered = (events: readonly HistoryEvent[]): string[] =>
  events
    .filter((event) => event.type === 'TaskStateEntered')
    .map((event) => event.stateEnteredEventDetails?.name ?? '');

const taskFailures = (events: readonly HistoryEvent[]): string[] =>
  events
    .filter((event) => event.type === 'TaskFailed')
    .map((event) => event.taskFailedEventDetails?.error ?? '');

/**
 * Stock is conserved: what is available plus what the order still holds in a RESERVED
 * reservation is what was stocked. An order that did not complete holds no money, unless
 * it was handed to a person (NEEDS_ATTENTION), which the test then asserts itself.
 */
const expectInvariants = async (started: Started): Promise<void> => {
  const [stock, reservation, payment, order] = await Promise.all([
    started.stock(),
    started.reservation(),
    started.payment(),
    started.order(),
  ]);
  const held = reservation?.status === 'RESERVED' ? reservation.lines : [];
  for (const [sku, initial] of Object.entries(started.initialStock)) {
    const reserved = held.filter((line) => line.sku === sku).reduce((sum, line) => sum + line.quantity, 0);
    expect({ sku, total: (stock[sku] ?? 0) + reserved }).toEqual({ sku, total: initial });
  }
  if (order?.status === 'CANCELLED' || order?.status === 'REJECTED') {
    expect(netChargeCents(payment)).toBe(0);
    // The providers' own books, not our tables, say whether money was taken or a parcel is live.
    expect(await providerNetChargeCents(documentClient, tables, started.orderId)).toBe(0);
    expect(await carrierHasLiveParcel(documentClient, tables, started.orderId)).toBe(false);
    expect(reservation?.status).not.toBe('RESERVED');
  }
  if (order?.status === 'COMPLETED')
    expect(await providerNetChargeCents(documentClient, tables, started.orderId)).toBe(started.totalCents);
};

/** Polls the execution history until `predicate` holds, or fails after the deadline. */
const waitForHistory = async (
  started: Started,
  predicate: (events: readonly HistoryEvent[]) => boolean,
  deadlineMs = 10_000,
): Promise<void> => {
  const deadline = Date.now() + deadlineMs;
  while (!predicate(await started.history())) {
    if (Date.now() > deadline) throw new Error('the execution history never showed what the test waits for');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('order saga through the local Step Functions endpoint, real steps on DynamoDB Local', () => {
  it('completes an order: reserved, charged, shipped, confirmed, with every status in its history', async () => {
    // Arrange
    const started = await startOrder();

    // Act
    const execution = await started.finished();

    // Assert
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output ?? '{}')).toMatchObject({
      confirmation: { status: 'COMPLETED', notified: true },
      shipment: { trackingId: expect.stringMatching(/^SIM/) },
    });
    const order = await started.order();
    expect(order?.history.map((entry) => entry.status)).toEqual([
      'RECEIVED',
      'RESERVED',
      'CHARGED',
      'SHIPPED',
      'COMPLETED',
    ]);
    expect(await started.payment()).toMatchObject({ status: 'CHARGED', attempts: 1 });
    expect(await started.stock()).toEqual(taken(started, 2, 1));
    await expectInvariants(started);
  });

  it('settles a refund outage by redrive: NEEDS_ATTENTION with the stock back at once, then CANCELLED with the money back', async () => {
    // Arrange: the provider answers no refund; the carrier refuses the address, so the order is compensated
    await startOutage(documentClient, tables.provider, 'refunds', new Date(), 'saga test');
    const started = await startOrder({ postalCode: '00000' });
    const failed = await started.finished();
    const stuck = {
      order: await started.order(),
      stock: await started.stock(),
      provider: await providerNetChargeCents(documentClient, tables, started.orderId),
    };

    // Act: the outage ends; the operator repairs the order
    await endOutage(documentClient, tables.provider, 'refunds');
    const lines: string[] = [];
    const exitCode = await repairOrder(
      { sfn, dynamodb: documentClient },
      { ordersTable: tables.orders },
      started.orderId,
      { write: (text: string) => lines.push(text) },
      { wait: true, pollMs: 50, waitMs: 30_000 },
    );

    // Assert: the execution failed in the refund, after the release had given the stock back
    expect(failed).toMatchObject({ status: 'FAILED', error: 'PaymentGatewayError' });
    expect(stuck.order).toMatchObject({
      status: 'NEEDS_ATTENTION',
      statusReason: expect.stringMatching(
        /^execution FAILED: PaymentGatewayError \(refunds unavailable \(simulated refunds outage since /,
      ),
    });
    expect(stuck.stock).toEqual(started.initialStock);
    expect(stuck.provider).toBe(started.totalCents);
    // the redrive ran the refund again, and nothing that had succeeded
    expect({ exitCode, lines }).toEqual({
      exitCode: 0,
      lines: [
        expect.stringContaining(`${started.orderId}: redrove ${started.executionArn} from RefundPayment`),
        `${started.orderId}: execution SUCCEEDED; order CANCELLED (ShippingError: the carrier cannot deliver to postal code 00000 in DE)\n`,
      ],
    });
    const events = await started.history();
    expect(events.filter((event) => event.type === 'ExecutionRedriven')).toHaveLength(1);
    expect(tasksEntered(events)).toEqual([
      'AcceptOrder',
      ...SHIPMENT_FAILED_TASKS.filter((task) => task !== 'RecordCancelled'),
      'RefundPayment',
      'RecordCancelled',
    ]);
    const order = await started.order();
    expect(order?.history.map((entry) => entry.status).slice(-2)).toEqual(['NEEDS_ATTENTION', 'CANCELLED']);
    expect(await started.payment()).toMatchObject({ status: 'REFUNDED' });
    expect(await providerNetChargeCents(documentClient, tables, started.orderId)).toBe(0);
    expect(await started.stock()).toEqual(started.initialStock);
    await expectInvariants(started);
  });

  it('says why it cannot repair an execution that ended in a Fail state, and changes nothing', async () => {
    // Arrange: an execution refused at its start (InputRefused) stands in for one of the old definition
    const started = await startOrder();
    await started.finished();
    const refusedName = uniqueName('refused');
    const refused = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: fast.stateMachineArn('OrderSaga'),
        name: refusedName,
        input: JSON.stringify({ not: 'an order' }),
      }),
    );
    await fast.waitForExecution(refused.executionArn ?? '');
    await documentClient.send(
      new UpdateCommand({
        TableName: tables.orders,
        Key: { orderId: started.orderId },
        UpdateExpression: 'SET #s = :s, sagaExecutionArn = :arn',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': 'NEEDS_ATTENTION', ':arn': refused.executionArn },
      }),
    );
    const lines: string[] = [];

    // Act
    const exitCode = await repairOrder(
      { sfn, dynamodb: documentClient },
      { ordersTable: tables.orders },
      started.orderId,
      { write: (text: string) => lines.push(text) },
    );

    // Assert
    expect(exitCode).toBe(1);
    expect(lines).toEqual([
      expect.stringContaining(
        `cannot redrive ${refused.executionArn}: it ended in the Fail state InputRefused`,
      ),
    ]);
    expect((await started.order())?.status).toBe('NEEDS_ATTENTION');
  });

  it('rejects an order that is out of stock without charging it', async () => {
    // Arrange
    const started = await startOrder({ stockB: 0 });

    // Act
    const execution = await started.finished();

    // Assert
    expect(execution.status).toBe('SUCCEEDED');
    expect(await started.order()).toMatchObject({
      status: 'REJECTED',
      statusReason: expect.stringMatching(/^OutOfStock: sku SKU-[0-9A-F]+-B is out of stock/),
    });
    expect(await started.payment()).toBeUndefined();
    expect(tasksEntered(await started.history())).toEqual([
      'AcceptOrder',
      'ReserveInventory',
      'RecordRejected',
    ]);
    expect(await started.stock()).toEqual(started.initialStock);
    await expectInvariants(started);
  });

  it('cancels a declined payment and gives the stock back', async () => {
    // Arrange
    const started = await startOrder({ token: 'tok_decline' });

    // Act
    const execution = await started.finished();

    // Assert
    expect(execution.status).toBe('SUCCEEDED');
    expect(await started.order()).toMatchObject({
      status: 'CANCELLED',
      statusReason: 'PaymentDeclined: card declined (tok_decline)',
    });
    expect(await started.payment()).toMatchObject({ status: 'DECLINED' });
    expect(await started.reservation()).toMatchObject({ status: 'RELEASED' });
    expect(await started.stock()).toEqual(started.initialStock);
    await expectInvariants(started);
  });

  it('cancels the shipment first, then refunds and releases side by side when the shipment fails', async () => {
    // Arrange
    const started = await startOrder({ country: 'AQ' });

    // Act
    const execution = await started.finished();

    // Assert
    expect(execution.status).toBe('SUCCEEDED');
    const events = await started.history();
    expect(tasksEntered(events)).toEqual(['AcceptOrder', ...SHIPMENT_FAILED_TASKS]);
    const exited = (name: string) =>
      events.findIndex(
        (event) => event.type === 'TaskStateExited' && event.stateExitedEventDetails?.name === name,
      );
    const entered = (name: string) =>
      events.findIndex(
        (event) => event.type === 'TaskStateEntered' && event.stateEnteredEventDetails?.name === name,
      );
    expect(exited('CancelShipment')).toBeGreaterThan(-1);
    expect(entered('RefundPayment')).toBeGreaterThan(exited('CancelShipment'));
    expect(entered('ReleaseInventory')).toBeGreaterThan(exited('CancelShipment'));
    expect(exited('RefundPayment')).toBeGreaterThan(-1);
    expect(exited('ReleaseInventory')).toBeGreaterThan(-1);
    expect(JSON.parse(execution.output ?? '{}')).toMatchObject({
      shipmentCancellation: { outcome: 'NOTHING_TO_CANCEL', trackingId: null },
    });
    expect(await started.order()).toMatchObject({
      status: 'CANCELLED',
      statusReason: 'ShippingError: the carrier does not deliver to country AQ',
    });
    expect(await started.payment()).toMatchObject({ status: 'REFUNDED', refundAttempts: 1 });
    await expectInvariants(started);
  });

  it('gives back a charge the gateway took while every answer was lost, then cancels', async () => {
    // Arrange
    const started = await startOrder({ token: 'tok_charge_timeout' });

    // Act
    const execution = await started.finished();

    // Assert
    expect(execution.status).toBe('SUCCEEDED');
    expect(taskFailures(await started.history())).toEqual(Array(5).fill('PaymentGatewayError'));
    expect(JSON.parse(execution.output ?? '{}')).toMatchObject({
      compensation: { refund: { outcome: 'REFUNDED', refundId: `re_${started.orderId}` } },
    });
    expect(await started.order()).toMatchObject({
      status: 'CANCELLED',
      statusReason: expect.stringMatching(
        /^PaymentGatewayError: payment gateway timed out after taking the charge/,
      ),
    });
    expect(await started.payment()).toMatchObject({ status: 'VOIDED', voidOutcome: 'REFUNDED', attempts: 5 });
    expect(await started.stock()).toEqual(started.initialStock);
    await expectInvariants(started);
  });

  it('cancels a parcel the carrier booked though every answer was lost, then refunds and releases', async () => {
    // Arrange
    const started = await startOrder({ postalCode: '99998' });

    // Act
    const execution = await started.finished();

    // Assert
    expect(execution.status).toBe('SUCCEEDED');
    const events = await started.history();
    expect(taskFailures(events)).toEqual(Array(5).fill('CarrierGatewayError'));
    expect(tasksEntered(events)).toEqual(['AcceptOrder', ...SHIPMENT_FAILED_TASKS]);
    expect(JSON.parse(execution.output ?? '{}')).toMatchObject({
      shipmentCancellation: { outcome: 'CANCELLED', trackingId: expect.stringMatching(/^SIM/) },
      compensation: { refund: { outcome: 'REFUNDED' }, release: { outcome: 'RELEASED' } },
    });
    expect(await carrierHasLiveParcel(documentClient, tables, started.orderId)).toBe(false);
    expect(await started.order()).toMatchObject({
      status: 'CANCELLED',
      shipmentCancelledAt: expect.any(String),
      statusReason: expect.stringMatching(/^CarrierGatewayError: the carrier did not answer after booking/),
    });
    expect(await started.stock()).toEqual(started.initialStock);
    await expectInvariants(started);
  });

  it('retries a flaky payment gateway into a single charge', async () => {
    // Arrange
    const started = await startOrder({ token: 'tok_flaky' });

    // Act
    const execution = await started.finished();

    // Assert
    expect(execution.status).toBe('SUCCEEDED');
    expect(taskFailures(await started.history())).toEqual(['PaymentGatewayError', 'PaymentGatewayError']);
    expect(await started.payment()).toMatchObject({ status: 'CHARGED', attempts: 3 });
    expect((await started.order())?.status).toBe('COMPLETED');
    await expectInvariants(started);
  });

  it('retries a compensation that fails transiently and still cancels cleanly', async () => {
    // Arrange
    const started = await startOrder({ token: 'tok_refund_flaky', postalCode: '00000' });

    // Act
    const execution = await started.finished();

    // Assert
    expect(execution.status).toBe('SUCCEEDED');
    expect(taskFailures(await started.history())).toEqual([
      'ShippingError',
      'PaymentGatewayError',
      'PaymentGatewayError',
    ]);
    expect(await started.payment()).toMatchObject({ status: 'REFUNDED', refundAttempts: 3 });
    expect((await started.order())?.status).toBe('CANCELLED');
    await expectInvariants(started);
  });

  it('hands the order to a person when a compensation fails for good, after releasing the stock', async () => {
    // Arrange
    const started = await startOrder({ token: 'tok_refund_down', postalCode: '00000' });

    // Act
    const execution = await started.finished();

    // Assert: the execution fails in the refund; the execution-ended rule records why
    expect(execution).toMatchObject({ status: 'FAILED', error: 'PaymentGatewayError' });
    const order = await started.order();
    expect(order).toMatchObject({
      status: 'NEEDS_ATTENTION',
      statusReason: 'execution FAILED: PaymentGatewayError (refunds unavailable (tok_refund_down))',
    });
    // The failed execution's own event kept the first, precise reason (one NEEDS_ATTENTION entry).
    expect(order?.history.filter((entry) => entry.status === 'NEEDS_ATTENTION')).toHaveLength(1);
    expect(await started.payment()).toMatchObject({ status: 'CHARGED', refundAttempts: 9 });
    expect(await started.reservation()).toMatchObject({ status: 'RELEASED' });
    await expectInvariants(started);
  });

  it('marks the order as needing attention when its execution is stopped mid-compensation', async () => {
    // Arrange
    const started = await startOrder({ token: 'tok_refund_down', postalCode: '00000' });
    await waitForHistory(started, (events) => tasksEntered(events).includes('RefundPayment'));

    // Act
    await sfn.send(
      new StopExecutionCommand({
        executionArn: started.executionArn,
        error: 'OperatorStop',
        cause: 'stopped by a test',
      }),
    );
    const execution = await started.finished();

    // Assert
    expect(execution.status).toBe('ABORTED');
    expect(await started.order()).toMatchObject({
      status: 'NEEDS_ATTENTION',
      statusReason: 'execution ABORTED: OperatorStop (stopped by a test)',
    });
    await expectInvariants(started);
  });

  it('marks the order as needing attention when its execution times out', async () => {
    // Arrange: real timing; the refund retries outlast the 2-second execution timeout.
    const started = await startOrder({
      token: 'tok_refund_down',
      postalCode: '00000',
      machine: 'OrderSagaShortTimeout',
      endpoint: realTime,
      client: sfnRealTime,
    });

    // Act
    const execution = await started.finished();

    // Assert
    expect(execution.status).toBe('TIMED_OUT');
    expect(await started.order()).toMatchObject({
      status: 'NEEDS_ATTENTION',
      statusReason: expect.stringMatching(/^execution TIMED_OUT: States\.Timeout/),
    });
    await expectInvariants(started);
  });

  it('makes one reservation and one charge when every step is invoked twice', async () => {
    // Arrange
    const started = await startOrder({ machine: 'OrderSagaInvokedTwice' });

    // Act
    const execution = await started.finished();

    // Assert
    expect(execution.status).toBe('SUCCEEDED');
    expect(await started.stock()).toEqual(taken(started, 2, 1));
    expect(await started.payment()).toMatchObject({ status: 'CHARGED', attempts: 1 });
    expect((await started.order())?.history.map((entry) => entry.status)).toEqual([
      'RECEIVED',
      'RESERVED',
      'CHARGED',
      'SHIPPED',
      'COMPLETED',
    ]);
    await expectInvariants(started);
  });

  it('refunds once and releases once when every compensation is invoked twice', async () => {
    // Arrange
    const started = await startOrder({ machine: 'OrderSagaInvokedTwice', country: 'KP' });

    // Act
    const execution = await started.finished();

    // Assert
    expect(execution.status).toBe('SUCCEEDED');
    expect(await started.payment()).toMatchObject({ status: 'REFUNDED', attempts: 1, refundAttempts: 1 });
    expect(await started.stock()).toEqual(started.initialStock);
    expect((await started.order())?.status).toBe('CANCELLED');
    await expectInvariants(started);
  });

  describe('started by hand', () => {
    /** Stocks the order's skus and starts an execution with `input` as it is, under `name`. */
    const startByHand = async (name: string, input: unknown) => {
      const started = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: fast.stateMachineArn('OrderSaga'),
          name,
          input: JSON.stringify(input),
        }),
      );
      const executionArn = started.executionArn ?? '';
      return { executionArn, finished: () => fast.waitForExecution(executionArn) };
    };

    const stockedOrder = async () => {
      const prefix = uniqueSkuPrefix();
      await seedStock(documentClient, tables, { [`${prefix}-A`]: STOCK });
      return buildOrder({ items: [{ sku: `${prefix}-A`, quantity: 1, unitPriceCents: 1_000 }] });
    };

    it('runs the order itself, pasted as input, and records it as process-order would, linked to the execution', async () => {
      // Arrange
      const order = await stockedOrder();
      const name = `by-hand-${order.orderId}`;

      // Act
      const { executionArn, finished } = await startByHand(name, order);
      const execution = await finished();

      // Assert
      expect(execution.status).toBe('SUCCEEDED');
      const stored = (await readOrder(documentClient, tables, order.orderId)) as
        | Record<string, unknown>
        | undefined;
      expect(stored).toMatchObject({
        status: 'COMPLETED',
        contentHash: contentHash(canonicalize(order)),
        correlationId: `execution:${name}`,
        sagaExecutionArn: executionArn,
      });
      expect(await readOrder(documentClient, tables, name)).toBeUndefined();
    });

    it('refuses an input that is neither an order nor the envelope in its first state, listing every problem and writing nothing', async () => {
      // Arrange
      const name = uniqueName('garbage');

      // Act
      const { executionArn, finished } = await startByHand(name, { order: { orderId: 'x y' }, note: 1 });
      const execution = await finished();

      // Assert
      expect(execution).toMatchObject({ status: 'FAILED', error: 'SagaInputRefused' });
      expect(execution.cause).toContain('note: not allowed next to');
      expect(execution.cause).toContain('in order: orderId');
      expect(execution.cause).toContain('in order: items');
      expect(tasksEntered(await historyOf(sfn, executionArn))).toEqual(['AcceptOrder']);
      expect(await readOrder(documentClient, tables, 'x y')).toBeUndefined();
      expect(await readOrder(documentClient, tables, name)).toBeUndefined();
    });

    it('refuses a second execution for an order that already has its saga, and leaves the order alone', async () => {
      // Arrange
      const order = await stockedOrder();
      await (await startByHand(order.orderId, { order, correlationId: 'first' })).finished();

      // Act
      const second = await (await startByHand(`again-${order.orderId}`, order)).finished();

      // Assert
      expect(second).toMatchObject({ status: 'FAILED', error: 'SagaInputRefused' });
      expect(second.cause).toContain('SagaAlreadyStarted');
      expect((await readOrder(documentClient, tables, order.orderId))?.status).toBe('COMPLETED');
    });

    it('refuses an order whose id already holds other content as a conflicting duplicate', async () => {
      // Arrange
      const order = await stockedOrder();
      await (await startByHand(order.orderId, order)).finished();

      // Act
      const conflicting = await (
        await startByHand(`other-${order.orderId}`, { ...order, customerId: 'someone-else' })
      ).finished();

      // Assert
      expect(conflicting).toMatchObject({ status: 'FAILED', error: 'SagaInputRefused' });
      expect(conflicting.cause).toContain('ConflictingDuplicate');
    });
  });
});
