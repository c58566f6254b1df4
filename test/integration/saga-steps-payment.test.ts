import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { makeDocumentClient, makeDynamoDbClient } from '#shared/aws/clients';
import {
  netChargeCents,
  providerNetChargeCents,
  putNewOrder,
  readOrder,
  readPayment,
} from '../helpers/saga-items';
import { type SagaTables, type StepHandler, setUpSagaTables } from '../helpers/saga-tables';

const dynamodb = makeDynamoDbClient();
const documentClient = makeDocumentClient(dynamodb);
let tables: SagaTables;
let charge: StepHandler;
let refund: StepHandler;

beforeAll(async () => {
  tables = await setUpSagaTables(dynamodb);
  charge = (await import('../../functions/saga/charge-payment/handler')).handler;
  refund = (await import('../../functions/saga/refund-payment/handler')).handler;
});

afterAll(() => dynamodb.destroy());

const prepare = async (token = 'tok_visa') => {
  const input = await putNewOrder(documentClient, tables, { token });
  const orderId = input.order.orderId;
  return { input, orderId, payment: () => readPayment(documentClient, tables, orderId) };
};

const errorName = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'no error',
    (error: Error) => error.name,
  );

describe('charge-payment and refund-payment against DynamoDB Local', () => {
  it('charges the order total once and records CHARGED in the ledger and the order history', async () => {
    // Arrange
    const { input, orderId, payment } = await prepare();

    // Act
    const summary = await charge(input);

    // Assert
    expect(summary).toEqual({
      status: 'CHARGED',
      chargeId: `ch_${orderId}`,
      amountCents: input.order.totalCents,
      currency: input.order.currency,
    });
    expect(await payment()).toMatchObject({
      status: 'CHARGED',
      attempts: 1,
      amountCents: input.order.totalCents,
    });
    expect((await readOrder(documentClient, tables, orderId))?.history.map((entry) => entry.status)).toEqual([
      'RECEIVED',
      'CHARGED',
    ]);
  });

  it('makes one charge when the step is retried', async () => {
    // Arrange
    const { input, payment } = await prepare();
    const first = await charge(input);

    // Act
    const second = await charge(input);

    // Assert
    expect(second).toEqual(first);
    expect(await payment()).toMatchObject({ status: 'CHARGED', attempts: 1 });
  });

  it('fails tok_flaky twice, counting attempts in the ledger, and charges on the third call', async () => {
    // Arrange
    const { input, payment } = await prepare('tok_flaky');

    // Act
    const first = await errorName(charge(input));
    const second = await errorName(charge(input));
    const third = await charge(input);
    const fourth = await charge(input);

    // Assert
    expect([first, second]).toEqual(['PaymentGatewayError', 'PaymentGatewayError']);
    expect(third).toEqual(fourth);
    expect(await payment()).toMatchObject({ status: 'CHARGED', attempts: 3 });
  });

  it.each([
    ['tok_decline', 'PaymentDeclined'],
    ['tok_insufficient_funds', 'InsufficientFunds'],
  ])('records %s as DECLINED and throws %s on every call', async (token, name) => {
    // Arrange
    const { input, payment } = await prepare(token);

    // Act
    const names = [await errorName(charge(input)), await errorName(charge(input))];

    // Assert
    expect(names).toEqual([name, name]);
    expect(await payment()).toMatchObject({ status: 'DECLINED', declineCode: name, attempts: 1 });
  });

  it('refunds a charge once when the compensation runs twice', async () => {
    // Arrange
    const { input, orderId, payment } = await prepare();
    await charge(input);

    // Act
    const first = await refund(input);
    const second = await refund(input);

    // Assert
    expect(first).toEqual({
      outcome: 'REFUNDED',
      refundId: `re_${orderId}`,
      amountCents: input.order.totalCents,
    });
    expect(second).toMatchObject({ outcome: 'ALREADY_REFUNDED', refundId: `re_${orderId}` });
    expect(await payment()).toMatchObject({ status: 'REFUNDED', refundAttempts: 1 });
    expect(netChargeCents(await payment())).toBe(0);
    expect(await providerNetChargeCents(documentClient, tables, orderId)).toBe(0);
  });

  it('refunds nothing for an order the gateway never charged, and voids its payment', async () => {
    // Arrange
    const { input, orderId, payment } = await prepare('tok_gateway_down');
    await errorName(charge(input));

    // Act
    const result = await refund(input);

    // Assert
    expect(result).toEqual({ outcome: 'NOTHING_TO_REFUND', refundId: null, amountCents: 0 });
    expect(await payment()).toMatchObject({
      status: 'VOIDED',
      voidOutcome: 'NOT_CHARGED',
      refundAttempts: 1,
    });
    expect(await providerNetChargeCents(documentClient, tables, orderId)).toBe(0);
  });

  it('gives back a charge the gateway took while every answer was lost, and never charges again', async () => {
    // Arrange: the state machine's five attempts, each timing out after the provider took the money.
    const { input, orderId, payment } = await prepare('tok_charge_timeout');
    const attempts: string[] = [];
    for (let attempt = 1; attempt <= 5; attempt += 1) attempts.push(await errorName(charge(input)));
    const taken = await providerNetChargeCents(documentClient, tables, orderId);

    // Act
    const result = await refund(input);
    const again = await refund(input);
    const late = await errorName(charge(input));

    // Assert
    expect(attempts).toEqual(Array(5).fill('PaymentGatewayError'));
    expect(taken).toBe(input.order.totalCents);
    expect(result).toEqual({
      outcome: 'REFUNDED',
      refundId: `re_${orderId}`,
      amountCents: input.order.totalCents,
    });
    expect(again).toMatchObject({ outcome: 'ALREADY_REFUNDED', refundId: `re_${orderId}` });
    expect(late).toBe('PaymentVoided');
    expect(await payment()).toMatchObject({
      status: 'VOIDED',
      voidOutcome: 'REFUNDED',
      attempts: 5,
      refundAttempts: 1,
    });
    expect(await providerNetChargeCents(documentClient, tables, orderId)).toBe(0);
  });

  it('leaves a void marker when there is no payment, so a late charge step takes nothing', async () => {
    // Arrange
    const { input, orderId, payment } = await prepare();

    // Act
    const result = await refund(input);
    const late = await errorName(charge(input));

    // Assert
    expect(result).toEqual({ outcome: 'NOTHING_TO_REFUND', refundId: null, amountCents: 0 });
    expect(late).toBe('PaymentVoided');
    expect(await payment()).toMatchObject({ status: 'VOIDED', attempts: 0, voidOutcome: 'NOT_CHARGED' });
    expect(await providerNetChargeCents(documentClient, tables, orderId)).toBe(0);
  });

  it('keeps retrying the void while the gateway cannot tell whether it charged', async () => {
    // Arrange: a charge call was counted, then its Lambda was cut off before any answer.
    const { input, orderId, payment } = await prepare('tok_refund_down');
    await documentClient.send(
      new PutCommand({
        TableName: tables.payments,
        Item: {
          orderId,
          amountCents: input.order.totalCents,
          currency: input.order.currency,
          status: 'PENDING',
          attempts: 1,
          refundAttempts: 0,
          updatedAt: '2026-11-22T12:00:00.000Z',
        },
      }),
    );

    // Act
    const names = [await errorName(refund(input)), await errorName(refund(input))];

    // Assert
    expect(names).toEqual(['PaymentGatewayError', 'PaymentGatewayError']);
    const stored = await payment();
    expect(stored).toMatchObject({ status: 'VOIDED', refundAttempts: 2 });
    expect(stored?.voidOutcome).toBeUndefined();
  });

  it('keeps the charge while the refund gateway fails and refunds on a later attempt', async () => {
    // Arrange
    const { input, payment } = await prepare('tok_refund_flaky');
    await charge(input);

    // Act
    const failures = [await errorName(refund(input)), await errorName(refund(input))];
    const stillHeld = netChargeCents(await payment());
    const third = await refund(input);

    // Assert
    expect(failures).toEqual(['PaymentGatewayError', 'PaymentGatewayError']);
    expect(stillHeld).toBe(input.order.totalCents);
    expect(third).toMatchObject({ outcome: 'REFUNDED' });
    expect(await payment()).toMatchObject({ status: 'REFUNDED', refundAttempts: 3 });
  });

  it('never charges again after a refund', async () => {
    // Arrange
    const { input, payment } = await prepare();
    await charge(input);
    await refund(input);

    // Act
    const name = await errorName(charge(input));

    // Assert
    expect(name).toBe('PaymentAlreadyRefunded');
    expect(await payment()).toMatchObject({ status: 'REFUNDED', attempts: 1 });
  });
});
