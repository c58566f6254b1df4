import { processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import type { ResponseHook } from '@aws-lambda-powertools/idempotency/types';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { SqsFifoGroupParallelProcessor } from './fifo-group-processor';
import { makeRecordHandler, type RecordHandlerDeps } from './record-handler';

export interface ProcessOrderDeps extends RecordHandlerDeps {
  /** How long a finished order's idempotency record answers repeats; the orders table guards after that. */
  readonly idempotencyExpiresAfterSeconds: number;
}

/** Runs only when the result comes from a stored record: tells a repeat from fresh work. */
const markReplayed: ResponseHook = (response) =>
  typeof response === 'object' && response !== null && !Array.isArray(response)
    ? { ...response, replayed: true }
    : response;

/** What keys an order's idempotency record (the order id) and what a replay must match (its content hash). */
export const ORDER_IDEMPOTENCY_PATHS = { eventKey: 'orderId', payloadValidation: 'contentHash' } as const;

export type ProcessOrderHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * The SQS handler wired from its collaborators. Each call of this factory has its own processor
 * and idempotency configuration, so tests can run several handlers side by side.
 */
export const makeProcessOrderHandler = (deps: ProcessOrderDeps): ProcessOrderHandler => {
  const processor = new SqsFifoGroupParallelProcessor();
  const idempotencyConfig = new IdempotencyConfig({
    eventKeyJmesPath: ORDER_IDEMPOTENCY_PATHS.eventKey,
    payloadValidationJmesPath: ORDER_IDEMPOTENCY_PATHS.payloadValidation,
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: deps.idempotencyExpiresAfterSeconds,
    responseHook: markReplayed,
  });
  const recordHandler = makeRecordHandler(deps, idempotencyConfig);

  return async (event, context) => {
    // The in-progress record expires with this invocation, so a timed-out attempt does not block retries.
    idempotencyConfig.registerLambdaContext(context);
    deps.logger.addContext(context);
    try {
      // Groups run at once, each in order; a failure holds back only its own message group.
      return await processPartialResponse(event, recordHandler, processor, { context });
    } finally {
      if (deps.metrics.hasStoredMetrics()) deps.metrics.publishStoredMetrics();
    }
  };
};
