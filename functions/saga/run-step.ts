import type { Context } from 'aws-lambda';
import { parseSagaState, type SagaState } from '#shared/domain/saga-state';
import { OrderflowError } from '#shared/errors/index';
import type { Powertools } from '#shared/powertools';

export interface LogKeys {
  readonly orderId?: string;
  readonly correlationId?: string;
}

/**
 * The one instrumentation path of every saga function: Lambda context and the order's keys
 * on each log line, errors logged once (our own errors as warnings: outcomes or retried),
 * EMF metrics flushed, keys reset so a warm container never leaks one order's keys into the next.
 */
export const instrumented = async <T>(
  { logger, metrics }: Powertools,
  context: Context | undefined,
  keys: LogKeys,
  work: () => Promise<T>,
): Promise<T> => {
  if (context) logger.addContext(context);
  logger.appendKeys({ ...keys });
  try {
    return await work();
  } catch (error) {
    // Our own errors are expected outcomes (business) or retried by the state machine (transient).
    if (error instanceof OrderflowError) {
      logger.warn(error.permanent ? 'step ended with a business error' : 'step failed transiently', {
        error,
      });
    } else {
      logger.error('step failed', { error });
    }
    throw error;
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    logger.resetKeys();
  }
};

/** Runs a step whose payload is the saga state the state machine passes (`Payload.$: $`). */
export const runSagaStep = <T>(
  powertools: Powertools,
  event: unknown,
  context: Context | undefined,
  work: (state: SagaState) => Promise<T>,
): Promise<T> => {
  const keys = keysOf(event);
  return instrumented(powertools, context, keys, () => work(parseSagaState(event)));
};

/** Best-effort log keys, read before validation so even a rejected payload is traceable. */
export const keysOf = (event: unknown): LogKeys => {
  if (typeof event !== 'object' || event === null) return {};
  const { order, correlationId } = event as { order?: { orderId?: unknown }; correlationId?: unknown };
  return {
    ...(typeof order?.orderId === 'string' ? { orderId: order.orderId } : {}),
    ...(typeof correlationId === 'string' ? { correlationId } : {}),
  };
};
