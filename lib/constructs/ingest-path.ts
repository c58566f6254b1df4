import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { RecursiveLoop } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { EventType, type IBucket } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge, nagRef } from '../nag';
import { INGEST_PREFIXES } from './ingest-bucket';
import { applyQueueRemovalPolicy } from './order-queues';
import { OrderflowFunction } from './orderflow-function';

export interface IngestPathProps {
  /** The ingest bucket, imported by name (see PipelineStack for why). */
  readonly bucket: IBucket;
  readonly ordersQueue: IQueue;
  readonly idempotencyTable: ITableV2;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly retryAttempts: number;
  readonly maxEventAge: Duration;
  readonly logRetention: RetentionDays;
  /** Source maps in the zip and --enable-source-maps (OrderflowFunctionProps.sourceMaps). @default false */
  readonly sourceMaps?: boolean;
  /** Powertools' Tracer on (OrderflowFunctionProps.traceSdkCalls). @default false */
  readonly traceSdkCalls?: boolean;
  readonly logRemovalPolicy: RemovalPolicy;
  /**
   * What stack deletion does to the ingest-failures queue (and its TLS-only policy); RETAIN keeps
   * failed ingest events nobody has looked at yet. @default RemovalPolicy.DESTROY
   */
  readonly queueRemovalPolicy?: RemovalPolicy;
}

/**
 * S3 `incoming/` → ingest function → orders.fifo. S3 cannot notify a FIFO queue, hence the function.
 * The function is invoked asynchronously: after its retries an event goes to the ingest-failures
 * queue, so a file that could not be ingested is never silently lost.
 */
export class IngestPath extends Construct {
  readonly handler: OrderflowFunction;
  readonly failures: Queue;
  /** A file that cannot finish in one invocation continues through a message here. */
  readonly continuations: Queue;

  constructor(scope: Construct, id: string, props: IngestPathProps) {
    super(scope, id);

    this.failures = new Queue(this, 'Failures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    applyQueueRemovalPolicy(this.failures, props.queueRemovalPolicy ?? RemovalPolicy.DESTROY);
    Validations.of(this.failures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter destination of the ingest function (async-invoke on-failure); ' +
        'nothing consumes it automatically, so a DLQ behind it would never receive anything.',
    });

    // Standard, not FIFO: continuations of different files are independent, and a duplicate is settled by
    // the checkpoint's conditional save. A message that keeps failing lands beside failed S3 events.
    this.continuations = new Queue(this, 'Continuations', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      visibilityTimeout: Duration.seconds(props.timeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.failures, maxReceiveCount: 3 },
    });
    applyQueueRemovalPolicy(this.continuations, props.queueRemovalPolicy ?? RemovalPolicy.DESTROY);

    this.handler = new OrderflowFunction(this, 'Function', {
      entry: 'functions/ingest/handler.ts',
      serviceName: 'ingest',
      description:
        'Validates order files dropped under incoming/ and enqueues each valid order on orders.fifo',
      timeout: props.timeout,
      memorySize: props.memorySize,
      logRetention: props.logRetention,
      sourceMaps: props.sourceMaps,
      traceSdkCalls: props.traceSdkCalls,
      logRemovalPolicy: props.logRemovalPolicy,
      environment: {
        ORDERS_QUEUE_URL: props.ordersQueue.queueUrl,
        IDEMPOTENCY_TABLE: props.idempotencyTable.tableName,
        INGEST_CONTINUATION_QUEUE_URL: this.continuations.queueUrl,
      },
      // Ingest → continuation queue → ingest is a loop by design, one hop per invocation of a file; it ends
      // at the end of the file (every hop reads a record at least). Lambda would stop it after ~16 hops.
      recursiveLoop: RecursiveLoop.ALLOW,
    });
    const fn = this.handler.function;
    fn.configureAsyncInvoke({
      retryAttempts: props.retryAttempts,
      maxEventAge: props.maxEventAge,
      onFailure: new SqsDestination(this.failures),
    });

    props.bucket.grantRead(fn, `${INGEST_PREFIXES.incoming}*`);
    props.bucket.grantPut(fn, `${INGEST_PREFIXES.rejected}*`);
    // The parts of a continued file's report: read back to assemble the report, then deleted.
    props.bucket.grantRead(fn, `${INGEST_PREFIXES.rejected}*`);
    props.bucket.grantDelete(fn, `${INGEST_PREFIXES.rejected}*`);
    this.continuations.grantSendMessages(fn);
    fn.addEventSource(
      new SqsEventSource(this.continuations, { batchSize: 1, reportBatchItemFailures: true }),
    );
    props.ordersQueue.grantSendMessages(fn);
    props.idempotencyTable.grantReadWriteData(fn);

    props.bucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(fn), {
      prefix: INGEST_PREFIXES.incoming,
    });

    const objects = (prefix: string) =>
      `Resource::arn:<AWS::Partition>:s3:::${nagRef(this, props.bucket.bucketName)}/${prefix}*`;
    acknowledge(
      this.handler.role,
      {
        id: `AwsSolutions-IAM5[${objects(INGEST_PREFIXES.incoming)}]`,
        reason:
          'Reads order files: the objects under incoming/ (the notification prefix) and nothing else in the bucket.',
      },
      {
        id: `AwsSolutions-IAM5[${objects(INGEST_PREFIXES.rejected)}]`,
        reason:
          "Writes rejects reports, and reads back and deletes the parts of a continued file's report: the " +
          'objects under rejected/ and nothing else in the bucket.',
      },
      ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:Abort*', 's3:DeleteObject*'].map((action) => ({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason:
          `${action} comes from bucket.grantRead/grantPut, scoped to the prefixes above; the grant methods ` +
          'also add kms:Decrypt/GenerateDataKey should the bucket move to a customer key.',
      })),
    );
  }
}
