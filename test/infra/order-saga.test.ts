import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import {
  checkSubstitutions,
  LAMBDA_INVOKE_SUBSTITUTION,
  SAGA_DEFINITION_FILE,
  substitutionKeysOf,
} from '../../lib/constructs/order-saga';
import { SAGA_TASKS } from '../../lib/constructs/saga-functions';
import { PROJECT_ROOT } from '../../lib/project-root';
import { buildApp } from './support/app';

const dev = Template.fromStack(buildApp().pipeline);
const prod = Template.fromStack(buildApp({ stage: 'prod' }).pipeline);
const resources = dev.toJSON().Resources as Record<
  string,
  { Type: string; Properties: Record<string, unknown> }
>;
const entryOf = (logicalId: string) =>
  (dev.toJSON().Resources[logicalId] as { Metadata?: Record<string, unknown> }).Metadata?.['orderflow:entry'];
const stateMachineRef = { Ref: Match.stringLikeRegexp('^SagaStateMachine') };
/** The confused-deputy conditions on CloudWatch's grants: alarms of the stack's own account and region. */
const fromOwnAlarmsOnly = {
  StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
  ArnLike: {
    'aws:SourceArn': {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':cloudwatch:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':alarm:*',
        ],
      ],
    },
  },
};

describe('OrderSaga: definition', () => {
  it('substitutes each task placeholder with the function built from that step handler', () => {
    // Arrange
    const substitutions = new Capture();

    // Act
    dev.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      DefinitionSubstitutions: substitutions,
    });

    // Assert
    const captured = substitutions.asObject() as Record<string, { 'Fn::GetAtt': [string, string] }>;
    const entries = Object.fromEntries(
      Object.entries(captured)
        .filter(([key]) => key !== LAMBDA_INVOKE_SUBSTITUTION)
        .map(([key, value]) => [key, entryOf(value['Fn::GetAtt'][0])]),
    );
    expect(entries).toEqual(
      Object.fromEntries(
        Object.entries(SAGA_TASKS).map(([key, spec]) => [key, `functions/saga/${spec.folder}/handler.ts`]),
      ),
    );
  });

  it('uses exactly the placeholders the ASL file contains', () => {
    // Arrange
    const definition = readFileSync(path.join(PROJECT_ROOT, SAGA_DEFINITION_FILE), 'utf8');

    // Act
    const placeholders = substitutionKeysOf(definition);

    // Assert
    expect(placeholders).toEqual([...Object.keys(SAGA_TASKS), LAMBDA_INVOKE_SUBSTITUTION].sort());
  });

  it('substitutes the lambda:invoke integration of the partition the stack deploys to', () => {
    // Arrange
    const definition = readFileSync(path.join(PROJECT_ROOT, SAGA_DEFINITION_FILE), 'utf8');

    // Assert
    expect(definition).toContain(`"Resource": "\${${LAMBDA_INVOKE_SUBSTITUTION}}"`);
    dev.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      DefinitionSubstitutions: Match.objectLike({
        [LAMBDA_INVOKE_SUBSTITUTION]: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:::lambda:invoke']],
        },
      }),
    });
  });

  it('fails synth when the definition uses a placeholder the saga does not substitute', () => {
    // Arrange
    const definition = `{"Resource": "\${LambdaInvokeArn}", "FunctionName": "\${ShipFunctionArn}"}`;

    // Act / Assert
    expect(() => checkSubstitutions('saga.asl.json', definition, { LambdaInvokeArn: 'arn' })).toThrow(
      'saga.asl.json uses substitutions [LambdaInvokeArn, ShipFunctionArn] but the saga provides [LambdaInvokeArn]',
    );
  });

  it('fails synth when the definition names a partition instead of substituting it', () => {
    // Arrange
    const definition = `{"Resource": "arn:aws:states:::lambda:invoke", "FunctionName": "\${ShipFunctionArn}"}`;

    // Act / Assert
    expect(() => checkSubstitutions('saga.asl.json', definition, { ShipFunctionArn: 'fn' })).toThrow(
      /saga\.asl\.json names the partition aws in an ARN/,
    );
  });

  it('carries the ASL file inline, with its source recorded for the local runtime', () => {
    // Arrange
    const definition = readFileSync(path.join(PROJECT_ROOT, SAGA_DEFINITION_FILE), 'utf8');

    // Assert
    dev.hasResource('AWS::StepFunctions::StateMachine', {
      Metadata: Match.objectLike({ 'orderflow:definition': SAGA_DEFINITION_FILE }),
      Properties: Match.objectLike({ DefinitionString: definition }),
    });
  });

  it('may invoke every task function and traces executions', () => {
    // Assert
    dev.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: true },
    });
    for (const id of Object.keys(resources).filter((k) =>
      /^SagaSteps(?!ExecutionEnded|AttentionAge)\w+Function[0-9A-F]{8}$/.test(k),
    )) {
      dev.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('^SagaStateMachineRole') }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: 'lambda:InvokeFunction',
              Resource: Match.arrayWith([{ 'Fn::GetAtt': [id, 'Arn'] }]),
            }),
          ]),
        },
      });
    }
  });
});

describe('OrderSaga: the repair machine', () => {
  const REPAIR_TASKS = [
    'ConfirmOrder',
    'CancelShipment',
    'RefundPayment',
    'ReleaseInventory',
    'RecordOutcome',
  ];

  it('may invoke only the tasks a repair runs, and is an output the CLI reads', () => {
    // Arrange
    const invocable = (task: string) =>
      Match.objectLike({
        Action: 'lambda:InvokeFunction',
        Resource: Match.arrayWith([
          { 'Fn::GetAtt': [Match.stringLikeRegexp(`^SagaSteps${task}Function`), 'Arn'] },
        ]),
      });
    const repairPolicy = Object.values(
      dev.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^SagaRepairMachineRole') }] },
      }),
    );

    // Assert
    expect(repairPolicy).toHaveLength(1);
    const text = JSON.stringify(repairPolicy[0]);
    for (const task of REPAIR_TASKS) expect(text).toMatch(new RegExp(`SagaSteps${task}Function`));
    for (const task of ['AcceptOrder', 'ReserveInventory', 'ChargePayment', 'CreateShipment']) {
      expect(text).not.toMatch(new RegExp(`SagaSteps${task}Function`));
    }
    dev.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^SagaRepairMachineRole') }],
      PolicyDocument: { Statement: Match.arrayWith([invocable('RefundPayment')]) },
    });
    dev.hasOutput('RepairStateMachineArn', { Value: { Ref: Match.stringLikeRegexp('^SagaRepairMachine') } });
  });
});

describe('OrderSaga: logging', () => {
  it('logs everything with execution data in dev', () => {
    // Assert
    dev.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
    });
  });

  it('logs only errors and no execution data in prod, so payment tokens never reach the logs', () => {
    // Assert
    prod.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: Match.objectLike({ Level: 'ERROR', IncludeExecutionData: false }),
    });
  });

  it('delivers to a log group under /aws/vendedlogs/states/ with the stage retention', () => {
    // Arrange
    const logGroupArn = new Capture();

    // Act
    dev.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: {
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logGroupArn, 'Arn'] } } }],
      },
    });

    // Assert
    expect(resources[logGroupArn.asString()]?.Properties).toEqual({
      LogGroupName: expect.anything(),
      RetentionInDays: 14,
    });
  });

  it('names the log group uniquely per stack creation, so a re-created stack never meets a retained group', () => {
    // Arrange: the id part of the stack ARN (arn:...:stack/<name>/<uuid>) changes with every creation.
    const stackUuid = { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] };

    // Act
    const groups = Object.values(prod.findResources('AWS::Logs::LogGroup')).filter((group) =>
      JSON.stringify(group.Properties?.LogGroupName ?? '').includes('vendedlogs'),
    );

    // Assert
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: {
        LogGroupName: {
          'Fn::Join': ['', [expect.stringMatching(/^\/aws\/vendedlogs\/states\/[\w-]+-$/), stackUuid]],
        },
      },
    });
  });
});

describe('OrderSaga: unhandled endings', () => {
  it('routes FAILED, TIMED_OUT and ABORTED executions of this state machine to execution-ended', () => {
    // Arrange
    const target = new Capture();

    // Act
    dev.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [stateMachineRef] },
      },
      Targets: [
        {
          Arn: { 'Fn::GetAtt': [target, 'Arn'] },
          Id: Match.anyValue(),
          DeadLetterConfig: {
            Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SagaEndingsFailures'), 'Arn'] },
          },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86400 },
        },
      ],
    });

    // Assert
    expect(entryOf(target.asString())).toBe('functions/saga/execution-ended/handler.ts');
  });

  it('keeps execution-ended events its function fails on in the failures queue', () => {
    // Assert
    dev.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: Match.stringLikeRegexp('^SagaStepsExecutionEnded') },
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SagaEndingsFailures'), 'Arn'] } },
      },
    });
  });
});

describe('OrderSaga: step access', () => {
  it.each([
    ['ReserveInventory', ['ORDERS_TABLE', 'INVENTORY_TABLE', 'RESERVATIONS_TABLE']],
    ['ChargePayment', ['ORDERS_TABLE', 'PAYMENTS_TABLE', 'PROVIDER_TABLE']],
    ['CreateShipment', ['ORDERS_TABLE', 'PROVIDER_TABLE']],
    ['ConfirmOrder', ['ORDERS_TABLE', 'NOTIFICATIONS_TOPIC_ARN']],
    ['CancelShipment', ['ORDERS_TABLE', 'PROVIDER_TABLE']],
    ['RefundPayment', ['PAYMENTS_TABLE', 'PROVIDER_TABLE']],
    ['ReleaseInventory', ['INVENTORY_TABLE', 'RESERVATIONS_TABLE']],
    ['RecordOutcome', ['ORDERS_TABLE']],
    ['ExecutionEnded', ['ORDERS_TABLE']],
  ])('gives %s only the resources it uses', (step, expected) => {
    // Arrange
    const fn = Object.entries(resources).find(
      ([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith(`SagaSteps${step}Function`),
    )?.[1];
    const environment = fn?.Properties.Environment as { Variables: Record<string, unknown> } | undefined;
    const variables = environment?.Variables ?? {};

    // Act
    const resourceVariables = Object.keys(variables).filter(
      (name) => !/^(POWERTOOLS_|NODE_OPTIONS)/.test(name),
    );

    // Assert
    expect(resourceVariables.sort()).toEqual([...expected].sort());
  });

  it("lets cancel-shipment only update items of the orders table, besides the carrier's books", () => {
    // Arrange
    const policies = Object.values(dev.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.Roles).includes('SagaStepsCancelShipmentRole'),
    );

    // Act
    const dynamoStatements = policies
      .flatMap(
        (policy) => policy.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[],
      )
      .filter((statement) => JSON.stringify(statement.Action).includes('dynamodb:'));

    // Assert
    const onOrders = dynamoStatements.filter((statement) =>
      JSON.stringify(statement.Resource).includes('tablesorders'),
    );
    expect(onOrders).toHaveLength(1);
    expect(onOrders[0]?.Action).toBe('dynamodb:UpdateItem');
    const elsewhere = dynamoStatements.filter((statement) => !onOrders.includes(statement));
    expect(elsewhere.map((statement) => JSON.stringify(statement.Resource))).toEqual([
      expect.stringMatching(/tablesprovider/),
    ]);
  });

  it('publishes order notifications only from confirm-order, to an encrypted TLS-only topic', () => {
    // Assert
    dev.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: 'orderflow order notifications',
      KmsMasterKeyId: { 'Fn::Join': ['', Match.arrayWith([':alias/aws/sns'])] },
    });
    dev.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: Match.stringLikeRegexp('^SagaStepsOrderNotifications') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    const publishers = Object.values(dev.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes('sns:Publish'))
      .map((p) => JSON.stringify(p.Properties.Roles));
    expect(publishers).toEqual([expect.stringContaining('SagaStepsConfirmOrderRole')]);
  });
});

describe('Operations: alarms', () => {
  it.each(['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'])(
    'alarms on the saga metric %s',
    (metricName) => {
      // Assert
      dev.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/States',
        MetricName: metricName,
        Dimensions: [{ Name: 'StateMachineArn', Value: stateMachineRef }],
        Threshold: 1,
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^OperationsAlerts') }],
      });
    },
  );

  it.each(['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'])(
    'alarms on the repair machine metric %s, with its own runbook entry',
    (metricName) => {
      // Assert
      dev.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/States',
        MetricName: metricName,
        Dimensions: [
          { Name: 'StateMachineArn', Value: { Ref: Match.stringLikeRegexp('^SagaRepairMachine') } },
        ],
        Threshold: 1,
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^OperationsAlerts') }],
        AlarmDescription: Match.stringLikeRegexp('#repair-executions-failed-timed-out-or-aborted$'),
      });
    },
  );

  it('alarms on OrdersNeedingAttention from record-outcome and execution-ended', () => {
    // Arrange
    const metric = (service: string) =>
      Match.objectLike({
        MetricStat: Match.objectLike({
          Metric: {
            Namespace: 'orderflow',
            MetricName: 'OrdersNeedingAttention',
            Dimensions: [{ Name: 'service', Value: service }],
          },
          Stat: 'Sum',
        }),
      });

    // Assert
    dev.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 1,
      Metrics: Match.arrayWith([metric('record-outcome'), metric('execution-ended')]),
    });
  });

  it('counts orders needing attention for 10 days hourly, alarming before the 14-day redrive limit', () => {
    // Assert
    dev.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'orderflow',
      MetricName: 'OrdersNearRedriveLimit',
      Dimensions: [{ Name: 'service', Value: 'attention-age' }],
      Threshold: 1,
      EvaluationPeriods: 1,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^OperationsAlerts') }],
    });
    dev.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SagaStepsAttentionAgeFunction'), 'Arn'] },
        }),
      ],
    });
    dev.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^SagaStepsAttentionAgeRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'dynamodb:Query',
            Resource: { 'Fn::Join': ['', Match.arrayWith(['/index/ByStatus'])] },
          }),
        ]),
      },
    });
  });

  it('alarms when orders-dlq.fifo holds a message and when its oldest message is an hour old', () => {
    // Arrange
    const dlq = [
      {
        Name: 'QueueName',
        Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^QueuesDeadLetters'), 'QueueName'] },
      },
    ];

    // Assert
    dev.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: dlq,
      Threshold: 1,
    });
    dev.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: dlq,
      Threshold: 3600,
    });
  });

  it('alarms when the oldest message on orders.fifo has waited 15 minutes, so a stalled queue is seen', () => {
    // Arrange
    const orders = [
      { Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^QueuesOrders'), 'QueueName'] } },
    ];

    // Assert
    dev.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: orders,
      Statistic: 'Maximum',
      Threshold: 900,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^OperationsAlerts') }],
    });
  });

  it("encrypts the alerts topic with a rotating customer key that CloudWatch may use for this account's alarms only", () => {
    // Assert
    dev.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowCloudWatchAlarmsToUseTheKey',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
            Condition: fromOwnAlarmsOnly,
          },
        ]),
      },
    });
    dev.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: 'orderflow alerts',
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OperationsAlertsKey'), 'Arn'] },
    });
  });

  it("lets CloudWatch publish to the alerts topic for this account's alarms only, over TLS", () => {
    // Arrange
    const alertsTopic = { Ref: Match.stringLikeRegexp('^OperationsAlerts[0-9A-F]{8}$') };

    // Assert: the topic's own policy replaces SNS's default one, so CloudWatch needs a statement in it
    dev.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [alertsTopic],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          {
            Sid: 'AllowCloudWatchAlarmsToPublish',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: alertsTopic,
            Condition: fromOwnAlarmsOnly,
          },
        ]),
      },
    });
  });

  it('outputs the state machine ARN and the alerts topic', () => {
    // Assert
    dev.hasOutput('StateMachineArn', { Value: stateMachineRef });
    dev.hasOutput('AlertsTopicArn', { Value: { Ref: Match.stringLikeRegexp('^OperationsAlerts') } });
    dev.hasOutput('NotificationsTopicArn', {
      Value: { Ref: Match.stringLikeRegexp('^SagaStepsOrderNotifications') },
    });
  });
});
