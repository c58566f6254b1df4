import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from './support/app';

const template = Template.fromStack(buildApp().pipeline);
const allows = (statement: Record<string, unknown>) =>
  template.hasResourceProperties('AWS::IAM::Policy', {
    Roles: [{ Ref: Match.stringLikeRegexp('^ProcessOrderFunctionRole') }],
    PolicyDocument: { Statement: Match.arrayWith([Match.objectLike(statement)]) },
  });

describe('OrderProcessing', () => {
  it('consumes orders.fifo in batches of 10, reporting item failures, with bounded concurrency', () => {
    // Assert
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^QueuesOrders'), 'Arn'] },
      FunctionName: { Ref: Match.stringLikeRegexp('^ProcessOrderFunction') },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 10 },
      MaximumBatchingWindowInSeconds: Match.absent(),
    });
  });

  it('takes the maximum concurrency from the stage config and its overrides', () => {
    // Arrange
    const prod = Template.fromStack(buildApp({ stage: 'prod' }).pipeline);
    const overridden = Template.fromStack(buildApp({ processOrderMaxConcurrency: '200' }).pipeline);

    // Assert
    prod.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ScalingConfig: { MaximumConcurrency: 50 },
    });
    overridden.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ScalingConfig: { MaximumConcurrency: 200 },
    });
  });

  it('finishes well inside the queue visibility timeout (30 s against 180 s)', () => {
    // Assert
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'process-order' }) },
      Timeout: 30,
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
    });
  });

  it('knows the saga, the DLQ and both tables through its environment', () => {
    // Assert
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          STATE_MACHINE_ARN: { Ref: Match.stringLikeRegexp('^SagaStateMachine') },
          ORDERS_DLQ_URL: { Ref: Match.stringLikeRegexp('^QueuesDeadLetters') },
          ORDERS_TABLE: { Ref: Match.stringLikeRegexp('^SsmParameterValueorderflowdevtablesorders') },
          IDEMPOTENCY_TABLE: {
            Ref: Match.stringLikeRegexp('^SsmParameterValueorderflowdevtablesidempotency'),
          },
        }),
      },
    });
  });

  it('may start and describe saga executions and send permanent failures to the DLQ', () => {
    // Assert
    allows({
      Action: 'states:StartExecution',
      Resource: { Ref: Match.stringLikeRegexp('^SagaStateMachine') },
    });
    allows({
      Action: 'states:DescribeExecution',
      Resource: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':execution:$')])] },
    });
    allows({
      Action: Match.arrayWith(['sqs:SendMessage']),
      Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^QueuesDeadLetters'), 'Arn'] },
    });
    for (const table of ['tablesorders', 'tablesidempotency']) {
      allows({
        Action: Match.arrayWith(['dynamodb:GetItem', 'dynamodb:PutItem']),
        Resource: Match.arrayWith([
          { 'Fn::Join': ['', Match.arrayWith([{ Ref: Match.stringLikeRegexp(table) }])] },
        ]),
      });
    }
  });
});
