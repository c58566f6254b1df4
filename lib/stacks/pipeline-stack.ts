import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { IngestPath } from '../constructs/ingest-path';
import { OrderQueues } from '../constructs/order-queues';
import { SharedResources } from '../constructs/shared-resources';
import { OUTPUTS } from '../contract';
import { acknowledge } from '../nag';

export interface PipelineStackProps extends StackProps {
  readonly config: StageConfig;
}

/**
 * Compute and messaging: ingest, orders.fifo, and (later) processing and the saga.
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

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { config } = props;
    const logRemovalPolicy = config.logs.removal === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.shared = new SharedResources(this, 'Shared', { stage: config.stage });

    this.queues = new OrderQueues(this, 'Queues', {
      consumerTimeout: Duration.seconds(config.processOrder.timeoutSeconds),
      maxReceiveCount: config.ordersQueue.maxReceiveCount,
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
    });

    this.acknowledgeBucketNotificationsHandler();

    new CfnOutput(this, OUTPUTS.ordersQueueUrl, { value: this.queues.orders.queueUrl });
    new CfnOutput(this, OUTPUTS.ordersDlqUrl, { value: this.queues.deadLetters.queueUrl });
    new CfnOutput(this, OUTPUTS.ingestFailuresQueueUrl, { value: this.ingest.failures.queueUrl });
    new CfnOutput(this, OUTPUTS.ingestFunctionName, { value: this.ingest.handler.function.functionName });
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
