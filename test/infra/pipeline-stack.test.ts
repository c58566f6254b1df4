import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from './support/app';

const { pipeline } = buildApp();
const template = Template.fromStack(pipeline);
const resources = template.toJSON().Resources as Record<
  string,
  { Type: string; Properties?: Record<string, unknown> }
>;

const highThroughputFifo = {
  FifoQueue: true,
  ContentBasedDeduplication: false,
  DeduplicationScope: 'messageGroup',
  FifoThroughputLimit: 'perMessageGroupId',
  SqsManagedSseEnabled: true,
  MessageRetentionPeriod: 14 * 24 * 3600,
};

describe('PipelineStack: orders.fifo', () => {
  it('is a high-throughput FIFO queue with SQS-managed SSE that redrives to a FIFO DLQ after 5 receives', () => {
    // Arrange
    const deadLetterArn = new Capture();

    // Assert
    template.hasResourceProperties('AWS::SQS::Queue', {
      ...highThroughputFifo,
      MaximumMessageSize: 262144,
      RedrivePolicy: { deadLetterTargetArn: deadLetterArn, maxReceiveCount: 5 },
    });
    const dlqLogicalId = (deadLetterArn.asObject()['Fn::GetAtt'] as string[])[0] ?? '';
    expect(resources[dlqLogicalId]?.Properties).toMatchObject(highThroughputFifo);
  });

  it('gives the DLQ room for a largest order plus the error attributes process-order adds', () => {
    // Arrange
    const deadLetterArn = new Capture();
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: deadLetterArn, maxReceiveCount: 5 },
    });

    // Act
    const dlqLogicalId = (deadLetterArn.asObject()['Fn::GetAtt'] as string[])[0] ?? '';

    // Assert: SQS's own maximum, 1 MiB
    expect(resources[dlqLogicalId]?.Properties?.MaximumMessageSize).toBe(1_048_576);
  });

  it('keeps a message invisible for six process-order timeouts', () => {
    // Assert: process-order runs for up to 30 s in dev
    template.hasResourceProperties('AWS::SQS::Queue', { FifoQueue: true, VisibilityTimeout: 180 });
  });

  it('denies every queue action over plain HTTP', () => {
    // Assert
    for (const queue of ['^QueuesOrders', '^QueuesDeadLetters', '^IngestFailures']) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: Match.stringLikeRegexp(queue) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });
});

describe('PipelineStack: queues on stack deletion', () => {
  const prod = Template.fromStack(buildApp({ stage: 'prod' }).pipeline);
  const queues = ['^QueuesOrders', '^QueuesDeadLetters', '^IngestFailures', '^SagaEndingsFailures'];
  const retained = { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' };
  const destroyed = { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' };

  it.each(queues)(
    'keeps %s and its TLS-only policy in prod, with the messages nobody has looked at yet',
    (queue) => {
      // Arrange
      const queueId = new Capture(Match.stringLikeRegexp(queue));

      // Act
      prod.hasResource('AWS::SQS::QueuePolicy', { ...retained, Properties: { Queues: [{ Ref: queueId }] } });

      // Assert
      expect(prod.toJSON().Resources[queueId.asString()]).toMatchObject({
        Type: 'AWS::SQS::Queue',
        ...retained,
      });
    },
  );

  it.each(queues)('destroys %s and its policy with the stack in dev', (queue) => {
    // Arrange
    const queueId = new Capture(Match.stringLikeRegexp(queue));

    // Act
    template.hasResource('AWS::SQS::QueuePolicy', {
      ...destroyed,
      Properties: { Queues: [{ Ref: queueId }] },
    });

    // Assert
    expect(resources[queueId.asString()]).toMatchObject({ Type: 'AWS::SQS::Queue', ...destroyed });
  });
});

describe('PipelineStack: ingest function', () => {
  it('runs on a pinned Node.js 22 runtime on arm64 with active tracing and its own log group', () => {
    // Arrange
    const logGroup = new Capture();

    // Assert
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogGroup: { Ref: logGroup } },
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'ingest',
          POWERTOOLS_METRICS_NAMESPACE: 'orderflow',
          ORDERS_QUEUE_URL: { Ref: Match.stringLikeRegexp('^QueuesOrders') },
          IDEMPOTENCY_TABLE: {
            Ref: Match.stringLikeRegexp('^SsmParameterValueorderflowdevtablesidempotency'),
          },
        }),
      },
    });
    expect(resources[logGroup.asString()]).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: 14 },
    });
  });

  it('sends events that still fail after two retries to the ingest-failures queue', () => {
    // Assert
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: Match.stringLikeRegexp('^IngestFunction') },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21600,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestFailures'), 'Arn'] } },
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
      FifoQueue: Match.absent(),
    });
  });

  it('continues files through a standard queue that invokes it one message at a time, as a loop Lambda lets run', () => {
    // Arrange
    const queueArn = new Capture();

    // Assert
    template.hasResourceProperties('AWS::Lambda::Function', {
      RecursiveLoop: 'Allow',
      Environment: {
        Variables: Match.objectLike({
          INGEST_CONTINUATION_QUEUE_URL: { Ref: Match.stringLikeRegexp('^IngestContinuations') },
        }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: Match.stringLikeRegexp('^IngestFunction') },
      EventSourceArn: { 'Fn::GetAtt': [queueArn, 'Arn'] },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(queueArn.asString()).toMatch(/^IngestContinuations/);
    // Six ingest timeouts of 300 s; a message failing three times lands beside failed S3 events.
    expect(resources[queueArn.asString()]?.Properties).toMatchObject({
      VisibilityTimeout: 1800,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [expect.stringMatching(/^IngestFailures/), 'Arn'] },
        maxReceiveCount: 3,
      },
    });
  });

  it('is notified of objects created under incoming/ of the bucket named in SSM', () => {
    // Assert
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: Match.stringLikeRegexp('^SsmParameterValueorderflowdevingestbucketname') },
      Managed: false,
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'incoming/' }] } },
            LambdaFunctionArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestFunction'), 'Arn'] },
          },
        ],
      },
    });
    template.hasParameter('*', {
      Type: 'AWS::SSM::Parameter::Value<String>',
      Default: '/orderflow/dev/ingest-bucket/name',
    });
  });

  it('may read incoming/, write rejected/, send to orders.fifo and use the idempotency table', () => {
    // Arrange
    const objectArn = (prefix: string) => ({
      'Fn::Join': ['', Match.arrayWith([`/${prefix}/*`])],
    });

    const allows = (statement: Record<string, unknown>) =>
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('^IngestFunctionRole') }],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike(statement)]) },
      });

    // Assert
    allows({
      Action: Match.arrayWith(['s3:GetObject*']),
      Resource: Match.arrayWith([objectArn('incoming')]),
    });
    allows({ Action: Match.arrayWith(['s3:PutObject']), Resource: objectArn('rejected') });
    allows({
      Action: Match.arrayWith(['sqs:SendMessage']),
      Resource: Match.arrayWith([{ 'Fn::GetAtt': [Match.stringLikeRegexp('^QueuesOrders'), 'Arn'] }]),
    });
    allows({
      Action: Match.arrayWith(['dynamodb:GetItem', 'dynamodb:PutItem']),
      Resource: { 'Fn::Join': ['', Match.arrayWith([{ Ref: Match.stringLikeRegexp('tablesidempotency') }])] },
    });
  });

  it('records its source entry for the local runtime', () => {
    // Assert
    template.hasResource('AWS::Lambda::Function', {
      Metadata: Match.objectLike({ 'orderflow:entry': 'functions/ingest/handler.ts' }),
    });
  });

  it('writes logs only to its own log group (no AWSLambdaBasicExecutionRole)', () => {
    // Assert
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
      }),
      ManagedPolicyArns: Match.absent(),
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^IngestFunctionRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestFunctionLogGroup'), 'Arn'] },
          },
        ]),
      },
    });
  });
});

/** X-Ray, and the log-delivery calls Step Functions makes to set up vended logs. */
const RESOURCELESS_ACTIONS =
  /^(xray:\w+|logs:(Create|Delete|Get|Update)LogDelivery|logs:ListLogDeliveries|logs:(PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups))$/;

describe('PipelineStack: contract with the stateful stack and the CLI', () => {
  it('imports nothing through CloudFormation exports', () => {
    // Assert
    expect(JSON.stringify(template.toJSON())).not.toContain('Fn::ImportValue');
  });

  it('grants Resource "*" only for X-Ray and log delivery, which have no resource-level permissions', () => {
    // Arrange
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) =>
        policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
    );

    // Act
    const wildcardActions = statements
      .filter((s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')))
      .flatMap((s) => s.Action);

    // Assert
    expect(wildcardActions.length).toBeGreaterThan(0);
    expect(wildcardActions.filter((action) => !RESOURCELESS_ACTIONS.test(action))).toEqual([]);
  });

  it('names no queue, function, topic or log group physically, except the generated saga log group', () => {
    // Arrange
    const nameProperties = ['QueueName', 'FunctionName', 'LogGroupName', 'TopicName', 'StateMachineName'];
    const named = Object.entries(resources)
      .filter(([, r]) => nameProperties.some((p) => p in (r.Properties ?? {})))
      .filter(([, r]) => !['AWS::Lambda::EventInvokeConfig', 'AWS::Lambda::Permission'].includes(r.Type))
      .filter(([, r]) => r.Type !== 'AWS::Lambda::EventSourceMapping');

    // Assert: Step Functions vended logs want the /aws/vendedlogs/ prefix; the rest of the name is
    // generated from the construct path and the stack id
    expect(named.map(([, r]) => r.Properties)).toEqual([
      expect.objectContaining({
        LogGroupName: {
          'Fn::Join': [
            '',
            [
              expect.stringMatching(/^\/aws\/vendedlogs\/states\/orderflowdevpipeline-Saga-[0-9A-F]{8}-$/),
              { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] },
            ],
          ],
        },
      }),
    ]);
  });

  it('outputs the queue URLs a CLI user needs, without exports', () => {
    // Assert
    template.hasOutput('OrdersQueueUrl', {
      Value: { Ref: Match.stringLikeRegexp('^QueuesOrders') },
      Export: Match.absent(),
    });
    template.hasOutput('OrdersDlqUrl', { Value: { Ref: Match.stringLikeRegexp('^QueuesDeadLetters') } });
    template.hasOutput('IngestFailuresQueueUrl', {
      Value: { Ref: Match.stringLikeRegexp('^IngestFailures') },
    });
  });
});
