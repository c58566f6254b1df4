/**
 * Error classes shared by every function. Each sets `name` as a string literal:
 * minified bundles rename classes, while Lambda reports `errorType` from `error.name`
 * and the saga's `ErrorEquals` and the DLQ attributes match on that string.
 */
export class OrderflowError extends Error {
  /** A permanent error is never retried: retrying cannot change its outcome. */
  readonly permanent: boolean;

  constructor(message: string, name = 'OrderflowError', permanent = false) {
    super(message);
    this.name = name;
    this.permanent = permanent;
  }
}

/** A record that does not satisfy the OrderPlaced schema. */
export class InvalidOrder extends OrderflowError {
  readonly reasons: readonly string[];

  constructor(reasons: readonly string[]) {
    super(`invalid order: ${reasons.join('; ')}`, 'InvalidOrder', true);
    this.reasons = reasons;
  }
}

/** The same orderId arrived with different content. */
export class ConflictingDuplicate extends OrderflowError {
  constructor(orderId: string) {
    super(`order ${orderId} was already received with different content`, 'ConflictingDuplicate', true);
  }
}

/** A configuration problem found at start-up. */
export class ConfigurationError extends OrderflowError {
  constructor(message: string) {
    super(message, 'ConfigurationError', true);
  }
}
