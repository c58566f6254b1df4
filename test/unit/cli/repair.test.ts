import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ExecutionNotRedrivable,
  GetExecutionHistoryCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { decideOwed, type OrderRecords } from '../../../cli/repair/owed';
import { type RepairNames, repairOrder } from '../../../cli/repair/repair';
import type { PaymentRecord } from '../../../functions/shared/domain/ports';
import { anOrder } from '../../helpers/orders';

const REPAIR = 'arn:aws:states:us-east-1:000000000000:stateMachine:repair';
const SAGA_EXECUTION = 'arn:aws:states:us-east-1:000000000000:execution:saga:o1';
const REPAIR_EXECUTION = 'arn:aws:states:us-east-1:000000000000:execution:repair:o1-repair-1';
const NAMES: RepairNames = {
  ordersTable: 'orders',
  paymentsTable: 'payments',
  reservationsTable: 'reservations',
  providerTable: 'provider',
  repairStateMachineArn: REPAIR,
};

const sfnMock = mockClient(SFNClient);
const dynamoMock = mockClient(DynamoDBDocumentClient);
const sfn = new SFNClient({ region: 'us-east-1' });
const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));

const orderItem = (extra: Record<string, unknown> = {}) => ({
  orderId: 'o1',
  status: 'NEEDS_ATTENTION',
  statusReason: 'RefundPayment failed: PaymentGatewayError: down',
  sagaExecutionArn: SAGA_EXECUTION,
  order: anOrder({ orderId: 'o1' }),
  correlationId: 'file#1',
  history: [
    { status: 'RECEIVED' },
    { status: 'RESERVED' },
    { status: 'CHARGED' },
    { status: 'NEEDS_ATTENTION' },
  ],
  ...extra,
});

/** The ledger says CHARGED, the reservation is released, no parcel: only the refund is owed. */
const records = (item: Record<string, unknown>) => {
  dynamoMock.on(GetCommand, { TableName: 'orders' }).resolves({ Item: item });
  dynamoMock
    .on(GetCommand, { TableName: 'payments' })
    .resolves({ Item: { orderId: 'o1', status: 'CHARGED', amountCents: 11_597, chargeId: 'ch1' } });
  dynamoMock
    .on(GetCommand, { TableName: 'reservations' })
    .resolves({ Item: { orderId: 'o1', status: 'RELEASED', lines: [] } });
  dynamoMock.on(GetCommand, { TableName: 'provider' }).resolves({});
  dynamoMock.on(UpdateCommand).resolves({});
};

const run = async (names: RepairNames = NAMES) => {
  const lines: string[] = [];
  const code = await repairOrder({ sfn, dynamodb }, names, 'o1', { write: (text) => lines.push(text) });
  return { code, lines };
};

/** The saga's execution as DescribeExecution answers it, with an empty history. */
const sagaExecution = (
  description: Partial<Omit<DescribeExecutionCommandOutput, 'executionArn' | '$metadata'>>,
): void => {
  sfnMock.on(DescribeExecutionCommand).resolves({ executionArn: SAGA_EXECUTION, ...description });
  sfnMock.on(GetExecutionHistoryCommand).resolves({ events: [] });
};

beforeEach(() => {
  sfnMock.reset();
  dynamoMock.reset();
});

describe('orderflow repair', () => {
  it('starts a linked repair execution for an execution that ended in a Fail state of its old definition', async () => {
    // Arrange: the pre-redesign saga caught the refund's failure and ended in NeedsAttention
    records(orderItem());
    sfnMock
      .on(DescribeExecutionCommand)
      .resolves({ executionArn: SAGA_EXECUTION, status: 'FAILED', redriveStatus: 'REDRIVABLE' });
    sfnMock.on(GetExecutionHistoryCommand).resolves({
      events: [
        {
          id: 1,
          type: 'TaskStateEntered',
          timestamp: new Date(),
          stateEnteredEventDetails: { name: 'RefundPayment' },
        },
        {
          id: 2,
          type: 'TaskStateExited',
          timestamp: new Date(),
          stateExitedEventDetails: { name: 'RefundPayment' },
        },
        {
          id: 3,
          type: 'FailStateEntered',
          timestamp: new Date(),
          stateEnteredEventDetails: { name: 'NeedsAttention' },
        },
        { id: 4, type: 'ExecutionFailed', timestamp: new Date() },
      ],
    });
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: REPAIR_EXECUTION, startDate: new Date() });

    // Act
    const { code, lines } = await run();

    // Assert
    expect({ code, lines }).toEqual({
      code: 0,
      lines: [
        `o1: cannot redrive ${SAGA_EXECUTION}: it ended in the Fail state NeedsAttention of the definition it started with, so a redrive would only fail there again; started repair execution o1-repair-1 for what the records say is owed: no live parcel; RefundPayment (ledger CHARGED 11597 cents); no stock held (reservation RELEASED)\n`,
        '  follow it with: orderflow repair o1 --wait\n',
      ],
    });
    expect(sfnMock.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
    const link = dynamoMock.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(link).toMatchObject({
      Key: { orderId: 'o1' },
      ConditionExpression: '#status = :attention AND attribute_not_exists(repairExecutionArn)',
      ExpressionAttributeValues: { ':repair': REPAIR_EXECUTION },
    });
    const start = sfnMock.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(start).toMatchObject({ stateMachineArn: REPAIR, name: 'o1-repair-1' });
    expect(JSON.parse(start?.input ?? '{}')).toMatchObject({
      correlationId: 'file#1',
      error: { Error: 'Repaired', Cause: 'RefundPayment failed: PaymentGatewayError: down' },
      repair: {
        of: SAGA_EXECUTION,
        owed: { confirm: false, cancelShipment: false, refund: true, release: false },
      },
    });
  });

  it('redrives the linked repair execution when it failed at an owed step', async () => {
    // Arrange
    records(orderItem({ repairExecutionArn: REPAIR_EXECUTION }));
    sfnMock.on(DescribeExecutionCommand).resolves({
      executionArn: REPAIR_EXECUTION,
      status: 'FAILED',
      error: 'PaymentGatewayError',
      redriveStatus: 'REDRIVABLE',
      redriveCount: 0,
    });
    sfnMock.on(GetExecutionHistoryCommand).resolves({
      events: [
        {
          id: 1,
          type: 'TaskStateEntered',
          timestamp: new Date(),
          stateEnteredEventDetails: { name: 'RefundPayment' },
        },
      ],
    });
    sfnMock.on(RedriveExecutionCommand).resolves({ redriveDate: new Date() });

    // Act
    const { code, lines } = await run();

    // Assert
    expect(code).toBe(0);
    expect(lines).toEqual([
      `o1: redrove its repair execution ${REPAIR_EXECUTION} from RefundPayment (FAILED: PaymentGatewayError)\n`,
    ]);
    expect(sfnMock.commandCalls(RedriveExecutionCommand)[0]?.args[0].input).toMatchObject({
      executionArn: REPAIR_EXECUTION,
      clientToken: 'repair-1-o1-repair-1',
    });
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('refuses, changing nothing, when the provider holds money a REFUNDED ledger would not let RefundPayment give back', async () => {
    // Arrange: an execution of the old definition (a repair would start), the ledger REFUNDED, 11597 cents still charged
    records(orderItem());
    dynamoMock.on(GetCommand, { TableName: 'payments' }).resolves({
      Item: { orderId: 'o1', status: 'REFUNDED', amountCents: 11_597, attempts: 1, chargeId: 'ch1' },
    });
    dynamoMock
      .on(GetCommand, { TableName: 'provider' })
      .resolves({ Item: { pk: 'payment#o1', chargeId: 'ch1', chargedCents: 11_597, currency: 'EUR' } });
    sagaExecution({ status: 'FAILED', redriveStatus: 'NOT_REDRIVABLE' });

    // Act
    const { code, lines } = await run();

    // Assert
    expect({ code, lines }).toEqual({
      code: 1,
      lines: [
        'o1: its records disagree: the provider holds 11597 cents but the ledger is REFUNDED, so RefundPayment would give nothing back; nothing was started: settle it by hand, see docs/runbook.md#records-disagree\n',
      ],
    });
    expect(dynamoMock.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('refuses to redrive the saga when the order holds a shipment the carrier has no booking for', async () => {
    // Arrange: a redrivable execution, but CancelShipment would throw ShipmentContradiction again for good
    records(orderItem({ shipment: { trackingId: 'T1', carrier: 'sim' } }));
    sagaExecution({ status: 'FAILED', error: 'ShipmentContradiction', redriveStatus: 'REDRIVABLE' });

    // Act
    const { code, lines } = await run();

    // Assert
    expect(code).toBe(1);
    expect(lines).toEqual([
      'o1: its records disagree: the order holds a shipment the carrier has no booking for, so CancelShipment would fail (ShipmentContradiction); nothing was started: settle it by hand, see docs/runbook.md#records-disagree\n',
    ]);
    expect(sfnMock.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('starts no repair beside a saga someone redrove between its look and its redrive', async () => {
    // Arrange: redrivable at first look; the redrive is refused because another redrive started it
    records(orderItem());
    sfnMock
      .on(DescribeExecutionCommand)
      .resolvesOnce({
        executionArn: SAGA_EXECUTION,
        status: 'FAILED',
        redriveStatus: 'REDRIVABLE',
        redriveCount: 0,
      })
      .resolves({ executionArn: SAGA_EXECUTION, status: 'RUNNING', redriveCount: 1 });
    sfnMock.on(GetExecutionHistoryCommand).resolves({ events: [] });
    sfnMock
      .on(RedriveExecutionCommand)
      .rejects(new ExecutionNotRedrivable({ message: 'Execution is RUNNING', $metadata: {} }));

    // Act
    const { code, lines } = await run();

    // Assert
    expect({ code, lines }).toEqual({
      code: 0,
      lines: [
        `o1: ${SAGA_EXECUTION} was redriven meanwhile (now RUNNING, redrive 1); follow it with: orderflow repair o1 --wait\n`,
      ],
    });
    expect(dynamoMock.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('says exactly why it cannot when the stack has no repair machine, and changes nothing', async () => {
    // Arrange
    records(orderItem());
    sagaExecution({
      status: 'FAILED',
      redriveStatus: 'NOT_REDRIVABLE',
      redriveStatusReason: 'Execution redrivable period exceeded.',
    });

    // Act
    const { code, lines } = await run({ ordersTable: 'orders' });

    // Assert
    expect({ code, lines }).toEqual({
      code: 1,
      lines: [
        `o1: cannot redrive ${SAGA_EXECUTION}: Execution redrivable period exceeded.; this stack has no order-repair state machine (deploy the current version), or settle it by hand, see docs/runbook.md\n`,
      ],
    });
    expect(dynamoMock.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});

describe('decideOwed', () => {
  const base: OrderRecords = {
    item: orderItem(),
    paymentBook: { key: 'o1' },
    shipmentBook: { key: 'o1' },
  };
  /** The payment ledger of order o1 (5 cents), in the given state. */
  const ledger = (
    state: Pick<PaymentRecord, 'status' | 'attempts'> & Partial<PaymentRecord>,
  ): PaymentRecord => ({
    orderId: 'o1',
    amountCents: 5,
    currency: 'EUR',
    refundAttempts: 0,
    updatedAt: 't',
    ...state,
  });

  it('owes only ConfirmOrder for an order shipped, charged and reserved that its saga failed to confirm', () => {
    // Act
    const { owed } = decideOwed({
      ...base,
      item: orderItem({ history: [{ status: 'SHIPPED' }], shipment: { trackingId: 'T1', carrier: 'sim' } }),
      payment: ledger({ status: 'CHARGED', attempts: 1 }),
      reservation: { orderId: 'o1', lines: [{ sku: 'A', quantity: 1 }], status: 'RESERVED', reservedAt: 't' },
      shipmentBook: { key: 'o1', shipment: { trackingId: 'T1', carrier: 'sim' } },
    });

    // Assert
    expect(owed).toEqual({ confirm: true, cancelShipment: false, refund: false, release: false });
  });

  it('owes every compensation whose record still holds something, and none that is settled', () => {
    // Act
    const held = decideOwed({
      ...base,
      payment: ledger({ status: 'PENDING', attempts: 1 }),
      reservation: { orderId: 'o1', lines: [{ sku: 'A', quantity: 1 }], status: 'RESERVED', reservedAt: 't' },
      shipmentBook: { key: 'o1', shipment: { trackingId: 'T1', carrier: 'sim' } },
    });
    const settled = decideOwed({
      ...base,
      payment: ledger({ status: 'REFUNDED', attempts: 1, refundAttempts: 1 }),
      reservation: { orderId: 'o1', lines: [], status: 'RELEASED' },
      paymentBook: {
        key: 'o1',
        charge: { chargeId: 'c', amountCents: 5, currency: 'EUR' },
        refund: { refundId: 'r', amountCents: 5 },
      },
      shipmentBook: { key: 'o1', shipment: { trackingId: 'T1', carrier: 'sim' }, cancelledAt: 't' },
    });

    // Assert
    expect(held.owed).toEqual({ confirm: false, cancelShipment: true, refund: true, release: true });
    expect(settled.owed).toEqual({ confirm: false, cancelShipment: false, refund: false, release: false });
  });

  it.each([
    ['REFUNDED', { status: 'REFUNDED', attempts: 1 }],
    ['DECLINED', { status: 'DECLINED', attempts: 1 }],
    ['VOIDED (NOT_CHARGED)', { status: 'VOIDED', voidOutcome: 'NOT_CHARGED', attempts: 1 }],
    ['PENDING with no charge call counted', { status: 'PENDING', attempts: 0 }],
  ] as const)(
    'finds the records disagreeing when the provider holds money and the ledger is %s',
    (_, state) => {
      // Act
      const decision = decideOwed({
        ...base,
        payment: ledger(state),
        paymentBook: { key: 'o1', charge: { chargeId: 'c', amountCents: 5, currency: 'EUR' } },
      });

      // Assert
      expect(decision.disagreement).toMatch(
        /^the provider holds 5 cents but the ledger is .*, so RefundPayment would give nothing back$/,
      );
    },
  );

  it('finds no disagreement when the provider holds money RefundPayment will give back', () => {
    // Act
    const pending = decideOwed({
      ...base,
      payment: ledger({ status: 'PENDING', attempts: 1 }),
      paymentBook: { key: 'o1', charge: { chargeId: 'c', amountCents: 5, currency: 'EUR' } },
    });
    const missing = decideOwed({
      ...base,
      paymentBook: { key: 'o1', charge: { chargeId: 'c', amountCents: 5, currency: 'EUR' } },
    });

    // Assert
    expect(pending).toMatchObject({ owed: { refund: true } });
    expect(pending.disagreement).toBeUndefined();
    expect(missing.disagreement).toBe(
      'the provider holds 5 cents but the ledger is missing, so RefundPayment would give nothing back',
    );
  });
});
