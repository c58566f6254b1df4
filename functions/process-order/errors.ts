import { OrderflowError } from '#shared/errors/index';

/**
 * An execution with the order's name exists but its input cannot be read, so it cannot be
 * shown to be the same order. Retrying would not change that: it is permanent.
 */
export class UnverifiableExecution extends OrderflowError {
  constructor(orderId: string, detail: string) {
    super(
      `execution ${orderId} exists but its input cannot be compared: ${detail}`,
      'UnverifiableExecution',
      true,
    );
  }
}

/** Only errors our code marks permanent skip the retries; anything unknown is treated as transient. */
export const isPermanent = (error: unknown): error is OrderflowError =>
  error instanceof OrderflowError && error.permanent;
