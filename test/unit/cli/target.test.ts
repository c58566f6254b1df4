import { outputVariables } from '../../../cli/local/local-up';
import { flattenOutputs } from '../../../cli/shared/target';

describe('flattenOutputs', () => {
  it('reads the flat outputs that local up writes', () => {
    // Act
    const outputs = flattenOutputs({ IngestBucketName: 'bucket', OrdersQueueUrl: 'http://q' });

    // Assert
    expect(outputs).toEqual({ IngestBucketName: 'bucket', OrdersQueueUrl: 'http://q' });
  });

  it("merges the per-stack outputs that cdk deploy's --outputs-file writes", () => {
    // Act
    const outputs = flattenOutputs({
      'orderflow-dev-stateful': { IngestBucketName: 'bucket', OrdersTableName: 'orders' },
      'orderflow-dev-pipeline': { StateMachineArn: 'arn:aws:states:eu-west-1:1:stateMachine:x' },
    });

    // Assert
    expect(outputs).toEqual({
      IngestBucketName: 'bucket',
      OrdersTableName: 'orders',
      StateMachineArn: 'arn:aws:states:eu-west-1:1:stateMachine:x',
    });
  });

  it('refuses a file that is not an object of outputs', () => {
    // Act / Assert
    expect(() => flattenOutputs(['IngestBucketName'])).toThrow('expected a JSON object of stack outputs');
  });
});

describe('outputVariables', () => {
  it('names each stack output as an ORDERFLOW_ shell variable', () => {
    // Act
    const variables = outputVariables({ IngestBucketName: 'bucket', OrdersDlqUrl: 'http://dlq' });

    // Assert
    expect(variables).toEqual({
      ORDERFLOW_INGEST_BUCKET_NAME: 'bucket',
      ORDERFLOW_ORDERS_DLQ_URL: 'http://dlq',
    });
  });
});
