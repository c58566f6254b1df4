import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { IngestPath } from '../constructs/ingest-path';
import { Operations } from '../constructs/operations';
import { OperatorPolicy } from '../constructs/operator-policy';
import { OrderProcessing } from '../constructs/order-processing';
import { OrderQueues } from '../constructs/order-queues';
import { OrderSaga } from '../constructs/order-saga';
import { SagaFunctions } from '../constructs/saga-functions';
import { SharedResources } from '../constructs/shared-resources';
import { OUTPUTS, stackNames } from '../contract';
import { acknowledge } from '../nag';

export interface PipelineStackProps extends StackProps {
  readonly config: StageConfig;
}

/**
 * Compute and messaging: ingest, orders.fifo, order processing, the saga and its alarms.
 *
 * The S3 → ingest notification is added here, on the bucket imported by name, rather than on the
 * bucket in the stateful stack: a notification on the bucket's own stack would point at this stack's
 * function while this stack already reads the bucket, which is the cyclic reference of aws-cdk #5760.
 * Chosen over EventBridge notifications because the function receives S3's own event shape
 * (Records[].s3, form-encoded keys, versionId, sequencer), the prefix filter sits in one
 * Custom::S3BucketNotifications resource the local runtime can read, and there is no rule hop.
 * The custom resource merges with notifications it does not own, so nothing else on the bucket is lost.
 */
export class PipelineStack extends Stack {
  readonly shared: SharedResources;
  readonly queues: OrderQueues;
  readonly ingest: IngestPath;
  readonly sagaFunctions: SagaFunctions;
  readonly saga: OrderSaga;
  readonly processing: OrderProcessing;
  readonly operations: Operations;
  readonly operator: OperatorPolicy;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { config } = props;
    const logRemovalPolicy = config.logs.removal === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const queueRemovalPolicy =
      config.queues.removal === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.shared = new SharedResources(this, 'Shared', { stage: config.stage });

    this.queues = new OrderQueues(this, 'Queues', {
      consumerTimeout: Duration.seconds(config.processOrder.timeoutSeconds),
      maxReceiveCount: config.ordersQueue.maxReceiveCount,
      removalPolicy: queueRemovalPolicy,
    });

    this.ingest = new IngestPath(this, 'Ingest', {
      bucket: this.shared.bucket,
      ordersQueue: this.queues.orders,
      idempotencyTable: this.shared.table('idempotency'),
      timeout: Duration.seconds(config.ingest.timeoutSeconds),
      memorySize: config.ingest.memoryMb,
      retryAttempts: config.ingest.retryAttempts,
      maxEventAge: Duration.seconds(config.ingest.maxEventAgeSeconds),
      logRetention: config.logs.retentionDays,
      logRemovalPolicy,
      queueRemovalPolicy,
      sourceMaps: config.logs.sourceMaps,
      traceSdkCalls: config.tracing.sdkCalls,
    });

    this.acknowledgeBucketNotificationsHandler();

    const logs = { logRetention: config.logs.retentionDays, logRemovalPolicy };
    const sagaTables = {
      orders: this.shared.table('orders'),
      inventory: this.shared.table('inventory'),
      reservations: this.shared.table('reservations'),
      payments: this.shared.table('payments'),
      provider: this.shared.table('provider'),
    };
    this.sagaFunctions = new SagaFunctions(this, 'SagaSteps', {
      tables: sagaTables,
      timeout: Duration.seconds(config.sagaStep.timeoutSeconds),
      memorySize: config.sagaStep.memoryMb,
      sourceMaps: config.logs.sourceMaps,
      traceSdkCalls: config.tracing.sdkCalls,
      ...logs,
    });
    this.saga = new OrderSaga(this, 'Saga', {
      tasks: this.sagaFunctions.tasks,
      executionEnded: this.sagaFunctions.executionEnded,
      logLevel: config.stateMachine.logLevel,
      includeExecutionData: config.stateMachine.includeExecutionData,
      ...logs,
      queueRemovalPolicy,
    });

    this.processing = new OrderProcessing(this, 'ProcessOrder', {
      ordersQueue: this.queues.orders,
      deadLetterQueue: this.queues.deadLetters,
      ordersTable: this.shared.table('orders'),
      idempotencyTable: this.shared.table('idempotency'),
      stateMachine: this.saga.stateMachine,
      timeout: Duration.seconds(config.processOrder.timeoutSeconds),
      memorySize: config.processOrder.memoryMb,
      maxConcurrency: config.processOrder.maxConcurrency,
      sourceMaps: config.logs.sourceMaps,
      traceSdkCalls: config.tracing.sdkCalls,
      ...logs,
    });

    const tasks = this.sagaFunctions.tasks;
    this.operations = new Operations(this, 'Operations', {
      stateMachine: this.saga.stateMachine,
      repairMachine: this.saga.repairMachine,
      attentionAge: { fn: this.sagaFunctions.attentionAge.function, service: 'attention-age' },
      ordersQueue: this.queues.orders,
      deadLetterQueue: this.queues.deadLetters,
      failureQueues: { IngestFailures: this.ingest.failures, SagaEndingsFailures: this.saga.endingsFailures },
      functions: {
        Ingest: { fn: this.ingest.handler.function, errorsAreIncidents: true },
        ProcessOrder: { fn: this.processing.handler.function, errorsAreIncidents: true },
        // Refused inputs (a bad hand-started execution) are outcomes, as are forward steps' business errors.
        AcceptOrder: { fn: tasks.AcceptOrderFunctionArn.function, errorsAreIncidents: false },
        ReserveInventory: { fn: tasks.ReserveInventoryFunctionArn.function, errorsAreIncidents: false },
        ChargePayment: { fn: tasks.ChargePaymentFunctionArn.function, errorsAreIncidents: false },
        CreateShipment: { fn: tasks.CreateShipmentFunctionArn.function, errorsAreIncidents: false },
        ConfirmOrder: { fn: tasks.ConfirmOrderFunctionArn.function, errorsAreIncidents: true },
        CancelShipment: { fn: tasks.CancelShipmentFunctionArn.function, errorsAreIncidents: true },
        RefundPayment: { fn: tasks.RefundPaymentFunctionArn.function, errorsAreIncidents: true },
        ReleaseInventory: { fn: tasks.ReleaseInventoryFunctionArn.function, errorsAreIncidents: true },
        RecordOutcome: { fn: tasks.RecordOutcomeFunctionArn.function, errorsAreIncidents: true },
        ExecutionEnded: { fn: this.sagaFunctions.executionEnded.function, errorsAreIncidents: true },
      },
      needsAttentionServices: ['record-outcome', 'execution-ended'],
      dlqOldestMessageAge: Duration.seconds(config.alarms.dlqOldestMessageAgeSeconds),
      ordersOldestMessageAge: Duration.seconds(config.alarms.ordersOldestMessageAgeSeconds),
      period: Duration.seconds(config.alarms.periodSeconds),
      evaluationPeriods: config.alarms.evaluationPeriods,
      keyRemovalPolicy: logRemovalPolicy,
    });

    const stacks = stackNames(config.stage);
    this.operator = new OperatorPolicy(this, 'Operator', {
      stackNames: [stacks.stateful, stacks.pipeline],
      bucket: this.shared.bucket,
      tables: sagaTables,
      ordersQueue: this.queues.orders,
      deadLetterQueue: this.queues.deadLetters,
      ingestFailures: this.ingest.failures,
      saga: this.saga.stateMachine,
      repair: this.saga.repairMachine,
    });

    new CfnOutput(this, OUTPUTS.ordersQueueUrl, { value: this.queues.orders.queueUrl });
    new CfnOutput(this, OUTPUTS.ordersDlqUrl, { value: this.queues.deadLetters.queueUrl });
    new CfnOutput(this, OUTPUTS.ingestFailuresQueueUrl, { value: this.ingest.failures.queueUrl });
    new CfnOutput(this, OUTPUTS.ingestFunctionName, { value: this.ingest.handler.function.functionName });
    new CfnOutput(this, OUTPUTS.stateMachineArn, { value: this.saga.stateMachine.stateMachineArn });
    new CfnOutput(this, OUTPUTS.repairStateMachineArn, { value: this.saga.repairMachine.stateMachineArn });
    new CfnOutput(this, OUTPUTS.notificationsTopicArn, { value: this.sagaFunctions.notifications.topicArn });
    new CfnOutput(this, OUTPUTS.alertsTopicArn, { value: this.operations.alerts.topicArn });
    new CfnOutput(this, OUTPUTS.dashboardName, { value: this.operations.dashboard.dashboardName });
    new CfnOutput(this, OUTPUTS.operatorPolicyArn, {
      value: this.operator.policy.managedPolicyArn,
      description: 'attach to an operator role or group: the calls the orderflow CLI makes on this stage',
    });
  }

  /** CDK adds one singleton function per stack that applies S3 notification configurations. */
  private acknowledgeBucketNotificationsHandler(): void {
    const handler = this.node.tryFindChild(BUCKET_NOTIFICATIONS_HANDLER_ID);
    if (handler === undefined) return;
    acknowledge(handler, {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "CDK's BucketNotificationsHandler (a deploy-time custom resource, not on the data path) gets this " +
        'managed policy from aws-s3; its role is not configurable. It only writes its own deploy logs.',
    });
  }
}

/** The construct id aws-s3 gives its singleton notifications handler (stable across CDK versions). */
const BUCKET_NOTIFICATIONS_HANDLER_ID = 'BucketNotificationsHandler050a0587b7544547bf325f094a3db834';
