import type { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { IdempotencyValidationError, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { lostAnswerSafePersistenceLayer } from '#shared/aws/idempotency-store';
import { ConflictingDuplicate } from '#shared/errors/index';
import { isPermanent } from './errors';
import { correlationIdOf, parseOrderRecord } from './parse-record';
import { type PlaceOrderDeps, type PlaceOrderInput, type PlaceOrderResult, placeOrder } from './place-order';

/**
 * Idempotency keys start with this instead of the function name: the CDK generates the name,
 * and a replaced function would otherwise stop recognising every order it had already seen.
 */
export const IDEMPOTENCY_KEY_PREFIX = 'orderflow.process-order';

export interface RecordHandlerDeps extends PlaceOrderDeps {
  /**
   * The DLQ's client (dead-letter.lazy's makeDeadLetterClient in the function), asked for only when a
   * record goes there: the usual invocation sends nothing to the DLQ, and a client costs cold-start time.
   */
  readonly deadLetterClient: () => SQSClient;
  readonly deadLetterQueueUrl: string;
  /** The idempotency table's client (the persistence layer takes a plain DynamoDB client). */
  readonly idempotencyClient: DynamoDBClient;
  readonly idempotencyTable: string;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** A result served from the idempotency record rather than by doing the work. */
type DeliveryResult = PlaceOrderResult & { readonly replayed?: true };

/** Everything one SQS record goes through; throws only what should make it a batch item failure. */
export const makeRecordHandler = (deps: RecordHandlerDeps, idempotencyConfig: IdempotencyConfig) => {
  const { logger, metrics } = deps;
  const placeOrderOnce = makeIdempotent(
    (input: PlaceOrderInput): Promise<DeliveryResult> => placeOrder(input, deps),
    {
      // One persistence store per makeIdempotent: a store takes the configuration of its first user.
      persistenceStore: lostAnswerSafePersistenceLayer({
        tableName: deps.idempotencyTable,
        client: deps.idempotencyClient,
      }),
      config: idempotencyConfig,
      keyPrefix: IDEMPOTENCY_KEY_PREFIX,
    },
  );

  const handleOrder = async (record: SQSRecord, correlationId: string, log: Logger): Promise<void> => {
    const parsed = parseOrderRecord(record);
    log.appendKeys({ orderId: parsed.order.orderId });
    let result: DeliveryResult;
    try {
      result = await placeOrderOnce({
        orderId: parsed.order.orderId,
        contentHash: parsed.contentHash,
        canonical: parsed.canonical,
        order: parsed.order,
        correlationId,
      });
    } catch (error) {
      // The idempotency record holds another hash for this orderId: the same order id, other content.
      if (error instanceof IdempotencyValidationError) throw new ConflictingDuplicate(parsed.order.orderId);
      throw error;
    }
    if (result.outcome === 'started' && !result.replayed) {
      metrics.addMetric('OrdersAccepted', MetricUnit.Count, 1);
      log.info('order accepted, saga started', { executionArn: result.executionArn });
    } else {
      metrics.addMetric('DuplicateOrders', MetricUnit.Count, 1);
      log.info('duplicate order delivery acknowledged', {
        outcome: result.outcome,
        replayed: result.replayed ?? false,
      });
    }
  };

  return async (record: SQSRecord): Promise<void> => {
    const correlationId = correlationIdOf(record);
    // A child logger per record: records of other groups run at the same time, and keys appended to
    // the shared logger would land on their lines too.
    const log = logger.createChild({ persistentKeys: { correlationId, messageId: record.messageId } });
    try {
      await handleOrder(record, correlationId, log);
    } catch (error) {
      if (!isPermanent(error)) {
        log.warn('transient failure, the message stays on the queue for a retry', { error });
        throw error;
      }
      // Only a successful send lets the message be acknowledged; a failed send is thrown and retried.
      try {
        const { sendToDeadLetterQueue } =
          require('./dead-letter.lazy') as typeof import('./dead-letter.lazy');
        await sendToDeadLetterQueue(deps.deadLetterClient(), deps.deadLetterQueueUrl, record, {
          error,
          correlationId,
          failedAt: deps.clock(),
        });
      } catch (sendError) {
        log.error('permanent failure, but the DLQ send failed; the message stays on the queue', {
          errorType: error.name,
          reason: error.message,
          error: sendError,
        });
        throw sendError;
      }
      metrics.addMetric('OrdersSentToDlq', MetricUnit.Count, 1);
      log.error('permanent failure, message sent to the DLQ', {
        errorType: error.name,
        reason: error.message,
      });
    }
  };
};
