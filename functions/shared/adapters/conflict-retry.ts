import { cancellationReasonsOf, isTransientCancellation } from './dynamo-errors';

/**
 * How often, and how far apart, a transaction DynamoDB cancelled for a conflict is sent again
 * within one invocation. Full jitter: each wait is random in [0, min(capMs, baseMs × 2^n)).
 */
export interface ConflictRetry {
  readonly attempts: number;
  readonly baseMs: number;
  readonly capMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/**
 * 8 attempts over at most ≈ 2.6 s (≈ 1.3 s expected): well inside a saga step's 10 s timeout, and
 * enough that a burst on one hot item (a flash sale) settles here instead of spending the state
 * machine's retries, after which the order would be cancelled though stock was left.
 */
export const DEFAULT_CONFLICT_RETRY: ConflictRetry = { attempts: 8, baseMs: 25, capMs: 1_000 };

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends a transaction, and sends it again while DynamoDB cancels it for a transient reason
 * (TransactionConflict: another transaction held one of its items; or throttling). A cancelled
 * transaction changed nothing, so sending it again is safe. Any other outcome, and the last
 * attempt's cancellation, is the caller's to interpret.
 */
export const sendRetryingConflicts = async <T>(
  send: () => Promise<T>,
  retry: ConflictRetry = DEFAULT_CONFLICT_RETRY,
): Promise<T> => {
  const sleep = retry.sleep ?? wait;
  const random = retry.random ?? Math.random;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await send();
    } catch (error) {
      const reasons = cancellationReasonsOf(error);
      if (reasons === undefined || !isTransientCancellation(reasons) || attempt >= retry.attempts)
        throw error;
      await sleep(random() * Math.min(retry.capMs, retry.baseMs * 2 ** (attempt - 1)));
    }
  }
};
