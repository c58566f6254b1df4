import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { makeDocumentClient, makeDynamoDbClient } from '#shared/aws/clients';
import type { ExecutionStatusChangeEvent } from '../../functions/saga/execution-ended/handler';
import { executionStatusChange } from '../helpers/saga-events';
import { putNewOrder, readOrder } from '../helpers/saga-items';
import { newOrderId } from '../helpers/saga-orders';
import { type SagaTables, type StepHandler, setUpSagaTables } from '../helpers/saga-tables';

const dynamodb = makeDynamoDbClient();
const documentClient = makeDocumentClient(dynamodb);
let tables: SagaTables;
let record: StepHandler;
let executionEnded: (event: ExecutionStatusChangeEvent) => Promise<unknown>;

beforeAll(async () => {
  tables = await setUpSagaTables(dynamodb);
  record = (await import('../../functions/saga/record-outcome/handler')).handler;
  executionEnded = (await import('../../functions/saga/execution-ended/handler')).handler;
});

afterAll(() => dynamodb.destroy());

const prepare = async () => {
  const input = await putNewOrder(documentClient, tables);
  return {
    input,
    orderId: input.order.orderId,
    order: () => readOrder(documentClient, tables, input.order.orderId),
  };
};

const lambdaCause = (errorType: string, errorMessage: string) =>
  JSON.stringify({ errorType, errorMessage, trace: ['at step'] });

describe('record-outcome and execution-ended against DynamoDB Local', () => {
  it('writes CANCELLED with the reason and a history entry', async () => {
    // Arrange
    const { input, order } = await prepare();
    const state = {
      ...input,
      error: { Error: 'PaymentDeclined', Cause: lambdaCause('PaymentDeclined', 'card declined') },
    };

    // Act
    const outcome = await record({ status: 'CANCELLED', state });

    // Assert
    expect(outcome).toEqual({ status: 'CANCELLED', reason: 'PaymentDeclined: card declined', changed: true });
    const stored = await order();
    expect(stored).toMatchObject({ status: 'CANCELLED', statusReason: 'PaymentDeclined: card declined' });
    expect(stored?.history.at(-1)).toEqual({
      status: 'CANCELLED',
      at: expect.any(String),
      reason: 'PaymentDeclined: card declined',
    });
  });

  it('keeps the first final status when an outcome is recorded again', async () => {
    // Arrange
    const { input, order } = await prepare();
    const state = { ...input, error: { Error: 'OutOfStock', Cause: lambdaCause('OutOfStock', 'sku A') } };
    await record({ status: 'REJECTED', state });

    // Act
    const again = await record({ status: 'CANCELLED', state });

    // Assert
    expect(again).toMatchObject({ status: 'REJECTED', changed: false });
    expect((await order())?.history.map((entry) => entry.status)).toEqual(['RECEIVED', 'REJECTED']);
  });

  it('cancels an order a redriven execution finishes after the execution-ended rule marked it', async () => {
    // Arrange
    const { input, orderId, order } = await prepare();
    await executionEnded(executionStatusChange(orderId, 'TIMED_OUT'));
    const state = {
      ...input,
      error: { Error: 'PaymentDeclined', Cause: lambdaCause('PaymentDeclined', 'card declined') },
    };

    // Act
    const outcome = await record({ status: 'CANCELLED', state });

    // Assert
    expect(outcome).toEqual({ status: 'CANCELLED', reason: 'PaymentDeclined: card declined', changed: true });
    expect((await order())?.history.map((entry) => entry.status)).toEqual([
      'RECEIVED',
      'NEEDS_ATTENTION',
      'CANCELLED',
    ]);
  });

  it('refuses a payload that is not a saga state', async () => {
    // Act
    const attempt = record({ status: 'CANCELLED', state: { correlationId: 'x' } });

    // Assert
    await expect(attempt).rejects.toMatchObject({ name: 'InvalidSagaInput' });
  });

  it('marks an order left in flight by a timed-out execution as needing attention, with the reason', async () => {
    // Arrange
    const { orderId, order } = await prepare();

    // Act
    const result = await executionEnded(executionStatusChange(orderId, 'TIMED_OUT'));

    // Assert
    expect(result).toEqual({ action: 'marked', orderId, reason: 'execution TIMED_OUT' });
    const stored = await order();
    expect(stored).toMatchObject({ status: 'NEEDS_ATTENTION', statusReason: 'execution TIMED_OUT' });
    expect(stored?.history.map((entry) => entry.status)).toEqual(['RECEIVED', 'NEEDS_ATTENTION']);
  });

  it('records the error and cause of a failed execution', async () => {
    // Arrange
    const { orderId, order } = await prepare();

    // Act
    await executionEnded(
      executionStatusChange(orderId, 'FAILED', { error: 'States.Runtime', cause: 'path $.x not found' }),
    );

    // Assert
    expect((await order())?.statusReason).toBe('execution FAILED: States.Runtime (path $.x not found)');
  });

  it('never downgrades a completed order', async () => {
    // Arrange
    const { orderId, order } = await prepare();
    await documentClient.send(
      new UpdateCommand({
        TableName: tables.orders,
        Key: { orderId },
        UpdateExpression: 'SET #status = :completed',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':completed': 'COMPLETED' },
      }),
    );

    // Act
    const result = await executionEnded(executionStatusChange(orderId, 'ABORTED'));

    // Assert
    expect(result).toMatchObject({ action: 'kept', status: 'COMPLETED' });
    expect((await order())?.status).toBe('COMPLETED');
  });

  it('ignores executions that succeeded', async () => {
    // Arrange
    const { orderId, order } = await prepare();

    // Act
    const result = await executionEnded(executionStatusChange(orderId, 'SUCCEEDED'));

    // Assert
    expect(result).toMatchObject({ action: 'ignored' });
    expect((await order())?.status).toBe('RECEIVED');
  });

  it('records an execution for an order the table does not hold, so it is still visible', async () => {
    // Arrange
    const orderId = newOrderId('unknown');

    // Act
    await executionEnded(executionStatusChange(orderId, 'ABORTED'));

    // Assert
    expect(await readOrder(documentClient, tables, orderId)).toMatchObject({
      status: 'NEEDS_ATTENTION',
      statusReason: 'execution ABORTED',
      history: [{ status: 'NEEDS_ATTENTION', at: expect.any(String), reason: 'execution ABORTED' }],
    });
  });
});
