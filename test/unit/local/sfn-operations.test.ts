import type { ExecutionStore } from '../../../local/sfn/executions';
import { makeOperations } from '../../../local/sfn/operations';
import type { RegisteredStateMachine } from '../../../local/sfn/state-machines';

const ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:saga';

describe('the local Step Functions operations', () => {
  it('dates an UpdateStateMachine by the endpoint clock, which tests move', () => {
    // Arrange: the endpoint's clock stands 14 days ahead of the system's
    const updated: string[] = [];
    const machine = { name: 'saga', arn: ARN } as unknown as RegisteredStateMachine;
    const ahead = new Date(Date.UTC(2030, 0, 15));
    const operations = makeOperations(
      new Map([[ARN, machine]]),
      {} as ExecutionStore,
      (arn) => updated.push(arn),
      () => ahead,
    );

    // Act
    const answer = operations.UpdateStateMachine?.({ stateMachineArn: ARN, definition: '{}' });

    // Assert
    expect(answer).toEqual({ updateDate: ahead.getTime() / 1000 });
    expect(updated).toEqual([ARN]);
  });
});
