import { CfnResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { DeduplicationScope, FifoThroughputLimit, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * 256 KiB. The schema caps a serialized order at 64 KiB; message attributes (eventType,
 * schemaVersion, correlationId) count towards the same limit. 256 KiB leaves that headroom, equals
 * the Step Functions input limit the order flows into next, and keeps a 10-message SendMessageBatch
 * (1 MiB per call) possible for records of realistic size.
 */
export const ORDER_MESSAGE_MAX_BYTES = 262_144;

/**
 * SQS's maximum, 1 MiB. process-order sends a message that can never succeed to the DLQ itself, with
 * error attributes on top of the original's (errorReason alone up to 1 KiB): a message at the orders
 * queue's limit would not fit a DLQ of the same size, the send would fail and the message would
 * hold back its group until maxReceiveCount. lib/guardrails enforces DLQ ≥ source + headroom. A
 * redrive strips the error attributes again (orderflow dlq redrive), so a redriven message fits orders.fifo.
 */
export const DEAD_LETTER_MAX_BYTES = 1_048_576;

const RETENTION = Duration.days(14);

export interface OrderQueuesProps {
  /** Timeout of the function consuming orders.fifo; the visibility timeout is six times this. */
  readonly consumerTimeout: Duration;
  /** Receives before SQS moves a message to the DLQ. */
  readonly maxReceiveCount: number;
  /**
   * What stack deletion (or a replacement) does to both queues and their TLS-only policies. RETAIN
   * keeps messages nobody has looked at yet; the queues are then deleted by hand.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
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
      retentionPeriod: RETENTION,
    };

    this.deadLetters = new Queue(this, 'DeadLetters', {
      ...common,
      maxMessageSizeBytes: DEAD_LETTER_MAX_BYTES,
    });
    this.orders = new Queue(this, 'Orders', {
      ...common,
      maxMessageSizeBytes: ORDER_MESSAGE_MAX_BYTES,
      // AWS guidance for Lambda sources: at least six function timeouts, so a batch still being
      // retried inside the function is not handed to a second invocation. lib/guardrails enforces it.
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: props.maxReceiveCount },
    });
    for (const queue of [this.deadLetters, this.orders]) {
      applyQueueRemovalPolicy(queue, props.removalPolicy ?? RemovalPolicy.DESTROY);
    }
  }
}

/**
 * Applies the removal policy to a queue and to the queue policy enforceSSL gave it (every
 * CloudFormation resource under the queue construct), so a retained queue stays TLS-only until it
 * is deleted by hand.
 */
export const applyQueueRemovalPolicy = (queue: Queue, policy: RemovalPolicy): void => {
  for (const child of queue.node.findAll()) {
    if (CfnResource.isCfnResource(child)) child.applyRemovalPolicy(policy);
  }
};
