import type { RecordOutcomeInput, StepError } from './saga-state';

/** Reasons are stored on the order and shown to operators; keep them readable and bounded. */
export const MAX_REASON_LENGTH = 1_000;

const truncate = (text: string): string =>
  text.length <= MAX_REASON_LENGTH ? text : `${text.slice(0, MAX_REASON_LENGTH - 1)}…`;

const messageOf = (cause: string | undefined): string | undefined => {
  if (cause === undefined || cause === '') return undefined;
  // Lambda errors arrive as a JSON Cause {errorType, errorMessage, trace}; others as plain text.
  try {
    const parsed: unknown = JSON.parse(cause);
    if (typeof parsed === 'object' && parsed !== null && 'errorMessage' in parsed) {
      const message = (parsed as { errorMessage: unknown }).errorMessage;
      if (typeof message === 'string') return message;
    }
  } catch {
    // Not JSON: the cause is the message itself.
  }
  return cause;
};

/** "OutOfStock: sku A is out of stock (...)" from a Catch's {Error, Cause}. */
export const describeStepError = (error: StepError | undefined): string => {
  if (!error) return 'no error recorded';
  const message = messageOf(error.Cause);
  return message && message !== error.Error ? `${error.Error}: ${message}` : error.Error;
};

/**
 * The reason recorded with a final status. For NEEDS_ATTENTION it names the step that
 * could not finish and what started the compensation, so an operator knows what is held.
 */
export const outcomeReason = ({ status, state }: RecordOutcomeInput): string => {
  if (status !== 'NEEDS_ATTENTION') return truncate(describeStepError(state.error));
  const failures: string[] = [];
  if (state.confirmError) failures.push(`ConfirmOrder failed: ${describeStepError(state.confirmError)}`);
  if (state.cancelShipmentError) {
    failures.push(`CancelShipment failed: ${describeStepError(state.cancelShipmentError)}`);
  }
  if (state.refundError) failures.push(`RefundPayment failed: ${describeStepError(state.refundError)}`);
  if (state.releaseError) failures.push(`ReleaseInventory failed: ${describeStepError(state.releaseError)}`);
  if (failures.length === 0) failures.push('needs attention');
  const after = state.error ? ` (compensating ${describeStepError(state.error)})` : '';
  return truncate(`${failures.join('; ')}${after}`);
};

/** The reason written by the execution-ended handler. */
export const executionEndedReason = (
  status: string,
  error?: string | null,
  cause?: string | null,
): string => {
  const what = error ? `: ${error}` : '';
  const why = cause ? ` (${messageOf(cause) ?? cause})` : '';
  return truncate(`execution ${status}${what}${why}`);
};
