import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { ConflictingDuplicate } from '#shared/errors/index';
import { contentHash } from '#shared/schemas/order-placed';
import { UnverifiableExecution } from '../../../functions/process-order/errors';
import { executionArnFor, executionInput, startSaga } from '../../../functions/process-order/saga-start';
import { orderBody, orderPlaced } from '../../helpers/sqs-events';

const stateMachineArn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:OrderSaga';
const canonical = orderBody(orderPlaced('order-1'));
const start = {
  stateMachineArn,
  orderId: 'order-1',
  contentHash: contentHash(canonical),
  canonical,
  correlationId: 'bucket/incoming/a.jsonl#1',
};
const alreadyExists = () =>
  new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} });

describe('startSaga', () => {
  const sfn = new SFNClient({ region: 'eu-west-1' });
  const mock = mockClient(sfn);

  beforeEach(() => mock.reset());

  it('starts an execution named by the order id with the order and correlation id as input', async () => {
    // Arrange
    mock.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });

    // Act
    const outcome = await startSaga(sfn, start);

    // Assert
    expect(outcome).toEqual({ kind: 'started', executionArn: 'arn:exec' });
    const sent = mock.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(sent?.name).toBe('order-1');
    expect(JSON.parse(sent?.input ?? '')).toEqual({
      order: JSON.parse(canonical),
      correlationId: 'bucket/incoming/a.jsonl#1',
    });
  });

  it('counts an existing execution of the same order as started, whatever its correlation id', async () => {
    // Arrange
    mock.on(StartExecutionCommand).rejects(alreadyExists());
    mock
      .on(DescribeExecutionCommand)
      .resolves({ input: executionInput(canonical, 'bucket/incoming/other.jsonl#9') });

    // Act
    const outcome = await startSaga(sfn, start);

    // Assert
    expect(outcome).toEqual({
      kind: 'already-started',
      executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:OrderSaga:order-1',
    });
    expect(mock.commandCalls(DescribeExecutionCommand)[0]?.args[0].input.executionArn).toBe(
      'arn:aws:states:eu-west-1:123456789012:execution:OrderSaga:order-1',
    );
  });

  it('rejects an existing execution of other content as a conflicting duplicate', async () => {
    // Arrange
    const other = orderBody(orderPlaced('order-1', { customerId: 'someone-else' }));
    mock.on(StartExecutionCommand).rejects(alreadyExists());
    mock.on(DescribeExecutionCommand).resolves({ input: executionInput(other, start.correlationId) });

    // Act
    const outcome = startSaga(sfn, start);

    // Assert
    await expect(outcome).rejects.toBeInstanceOf(ConflictingDuplicate);
  });

  it('rejects an existing execution whose input holds no order as unverifiable', async () => {
    // Arrange
    mock.on(StartExecutionCommand).rejects(alreadyExists());
    mock.on(DescribeExecutionCommand).resolves({ input: '{"hello":"world"}' });

    // Act
    const outcome = startSaga(sfn, start);

    // Assert
    await expect(outcome).rejects.toBeInstanceOf(UnverifiableExecution);
  });

  it('passes throttling through for a retry', async () => {
    // Arrange
    mock
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    // Act
    const outcome = startSaga(sfn, start);

    // Assert
    await expect(outcome).rejects.toThrow('Rate exceeded');
  });
});

describe('executionInput', () => {
  it('gives the identical string for the same order and correlation id', () => {
    // Arrange
    const again = orderBody(orderPlaced('order-1'));

    // Act
    const first = executionInput(canonical, 'c#1');
    const second = executionInput(again, 'c#1');

    // Assert
    expect(second).toBe(first);
  });
});

describe('executionArnFor', () => {
  it('builds the execution ARN in the state machine partition, region and account', () => {
    // Arrange
    const govCloud = 'arn:aws-us-gov:states:us-gov-west-1:123456789012:stateMachine:Saga';

    // Act
    const arn = executionArnFor(govCloud, 'o-1');

    // Assert
    expect(arn).toBe('arn:aws-us-gov:states:us-gov-west-1:123456789012:execution:Saga:o-1');
  });

  it('refuses something that is not a state machine ARN', () => {
    // Arrange
    const lambdaArn = 'arn:aws:lambda:us-east-1:123456789012:function:f';

    // Act
    const build = () => executionArnFor(lambdaArn, 'o-1');

    // Assert
    expect(build).toThrow('not a state machine ARN');
  });
});
