import { isTransientAwsError } from '#shared/aws/transient';
import { TransientStoreError } from '#shared/errors/saga';

/** DynamoDB error names that mean "try again later", seen after the SDK's own retries. */
const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionConflictException',
  'TransactionInProgressException',
]);

/** Cancellation reason codes of a transaction that may succeed when retried. */
const TRANSIENT_CANCELLATION_CODES = new Set([
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
  'RequestLimitExceeded',
]);

export interface CancellationReasonLike {
  readonly Code?: string;
  readonly Message?: string;
  readonly Item?: Record<string, unknown>;
}

const nameOf = (error: unknown): string | undefined => (error instanceof Error ? error.name : undefined);

export const isConditionalCheckFailed = (error: unknown): boolean =>
  nameOf(error) === 'ConditionalCheckFailedException';

export const cancellationReasonsOf = (error: unknown): readonly CancellationReasonLike[] | undefined => {
  if (nameOf(error) !== 'TransactionCanceledException') return undefined;
  const reasons = (error as { CancellationReasons?: unknown }).CancellationReasons;
  return Array.isArray(reasons) ? (reasons as CancellationReasonLike[]) : [];
};

export const isTransientCancellation = (reasons: readonly CancellationReasonLike[]): boolean =>
  reasons.some((reason) => reason.Code !== undefined && TRANSIENT_CANCELLATION_CODES.has(reason.Code));

/**
 * Turns a DynamoDB error the state machine should retry into TransientStoreError (a name
 * its Retry lists): throttling, a transaction conflict, a server fault, and a timeout or a broken
 * connection that outlived the SDK's own retries. Anything else is rethrown as it is.
 */
export const rethrowTransient = (error: unknown, what: string): never => {
  const name = nameOf(error);
  if ((name !== undefined && TRANSIENT_NAMES.has(name)) || isTransientAwsError(error)) {
    throw new TransientStoreError(`${what}: ${name}: ${(error as Error).message}`);
  }
  const reasons = cancellationReasonsOf(error);
  if (reasons && isTransientCancellation(reasons)) {
    const codes = reasons.map((reason) => reason.Code ?? 'None').join(',');
    throw new TransientStoreError(`${what}: transaction cancelled [${codes}]`);
  }
  throw error;
};
