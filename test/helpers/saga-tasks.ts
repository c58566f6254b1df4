import { loadSagaDefinition, sagaTaskStates } from './saga-asl';

/** One `Retry` entry of a Task state. */
export interface Retrier {
  readonly errorEquals: readonly string[];
  readonly maxAttempts: number;
}

interface AslRetry {
  readonly ErrorEquals: readonly string[];
  readonly MaxAttempts?: number;
}

/** The `Retry` of a Task state of statemachines/order-saga.asl.json, in order. */
export const retriersOf = (state: string): readonly Retrier[] => {
  // Parallel branches included: RefundPayment and ReleaseInventory run inside GiveBack.
  const definition = sagaTaskStates(loadSagaDefinition()).find(([name]) => name === state)?.[1];
  if (definition === undefined) throw new Error(`the saga has no state ${state}`);
  const retry = ((definition as { Retry?: readonly AslRetry[] }).Retry ?? []).map((entry) => ({
    errorEquals: entry.ErrorEquals,
    // Step Functions' default.
    maxAttempts: entry.MaxAttempts ?? 3,
  }));
  return retry;
};

const nameOf = (error: unknown): string => (error instanceof Error ? error.name : typeof error);

/**
 * Invokes a step as a Task state of the saga would: again after an error its `Retry` matches (the
 * first retrier naming the error, or States.ALL; each retrier counts its own attempts), without the
 * backoff. An error no retrier takes, or the last one a retrier gave up on, is thrown.
 */
export const runAsTask = async <T>(retriers: readonly Retrier[], invoke: () => Promise<T>): Promise<T> => {
  const retried = retriers.map(() => 0);
  for (;;) {
    try {
      return await invoke();
    } catch (error) {
      const name = nameOf(error);
      const index = retriers.findIndex(
        (retrier) => retrier.errorEquals.includes(name) || retrier.errorEquals.includes('States.ALL'),
      );
      const retrier = retriers[index];
      if (retrier === undefined || (retried[index] ?? 0) >= retrier.maxAttempts) throw error;
      retried[index] = (retried[index] ?? 0) + 1;
    }
  }
};

/** How an invocation ended: its result, or the name and message of what it threw. */
export type Outcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: string; readonly message: string };

export const outcomeOf = async <T>(work: Promise<T>): Promise<Outcome<T>> => {
  try {
    return { ok: true, value: await work };
  } catch (error) {
    return {
      ok: false,
      error: nameOf(error),
      message: error instanceof Error ? error.message : String(error),
    };
  }
};

export const outcomeOfSettled = <T>(result: PromiseSettledResult<T>): Outcome<T> =>
  result.status === 'fulfilled'
    ? { ok: true, value: result.value }
    : {
        ok: false,
        error: nameOf(result.reason),
        message: result.reason instanceof Error ? result.reason.message : String(result.reason),
      };

/** An outcome as a short word for assertions: "ok" or the error name. */
export const verdict = (outcome: Outcome<unknown>): string => (outcome.ok ? 'ok' : outcome.error);
