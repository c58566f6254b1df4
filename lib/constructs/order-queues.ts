import { Duration } from 'aws-cdk-lib';
import { DeduplicationScope, FifoThroughputLimit, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * 256 KiB. The schema caps a serialized order at 64 KiB; message attributes (eventType,
 * schemaVersion, correlationId, and the error attributes process-order adds on the DLQ) count towards
 * the same limit. 256 KiB leaves that headroom, equals the Step Functions input limit the order
 * flows into next, and keeps a 10-message SendMessageBatch (1 MiB per call) possible for records
 * of realistic size. The DLQ takes the same size so a redriven or re-sent message always fits.
 */
export const ORDER_MESSAGE_MAX_BYTES = 262_144;

const RETENTION = Duration.days(14);

export interface OrderQueuesProps {
  /** Timeout of the function consuming orders.fifo; the visibility timeout is six times this. */
  readonly consumerTimeout: Duration;
  /** Receives before SQS moves a message to the DLQ. */
  readonly maxReceiveCount: number;
}

/**
 * orders.fifo and orders-dlq.fifo: FIFO in high-throughput mode (dedup and throughput limit per
 * message group, the group being the orderId), SQS-managed SSE set explicitly, TLS only.
 * No queue names: CloudFormation generates them (with the .fifo suffix FIFO requires).
 */
export class OrderQueues extends Construct {
  readonly orders: Queue;
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: OrderQueuesProps) {
    super(scope, id);
    const common = {
      fifo: true,
      contentBasedDeduplication: false,
      deduplicationScope: DeduplicationScope.MESSAGE_GROUP,
      fifoThroughputLimit: FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      maxMessageSizeBytes: ORDER_MESSAGE_MAX_BYTES,
      retentionPeriod: RETENTION,
    };

    this.deadLetters = new Queue(this, 'DeadLetters', common);
    this.orders = new Queue(this, 'Orders', {
      ...common,
      // AWS guidance for Lambda sources: at least six function timeouts, so a batch still being
      // retried inside the function is not handed to a second invocation. lib/guardrails enforces it.
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: props.maxReceiveCount },
    });
  }
}
