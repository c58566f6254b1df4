/**
 * The worst case of a state machine's retry budgets, computed from its definition: a task's worst case
 * is every retrier's attempts, each running to the task timeout, plus each retry's longest backoff
 * (full jitter only shortens it); a Parallel state lasts as long as its longest branch; the machine, as
 * long as its longest path through Next, Default, Choices and Catch. The saga's must fit inside its
 * execution timeout (test/unit/saga/asl.test.ts); the docs and the cost bench quote it.
 */

interface Retrier {
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
}

interface State {
  readonly Type: string;
  readonly TimeoutSeconds?: number;
  readonly Retry?: readonly Retrier[];
  readonly Next?: string;
  readonly Default?: string;
  readonly Choices?: readonly { readonly Next: string }[];
  readonly Catch?: readonly { readonly Next: string }[];
  readonly Branches?: readonly StateMachine[];
}

export interface StateMachine {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, State>>;
}

/** Step Functions' defaults: 3 attempts, 1 s, backoff 2, no cap. */
const retryDelays = (retrier: Retrier): number[] =>
  Array.from({ length: retrier.MaxAttempts ?? 3 }, (_, n) =>
    Math.min(
      (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** n,
      retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY,
    ),
  );

const worstTaskSeconds = (task: State): number => {
  const delays = (task.Retry ?? []).flatMap(retryDelays);
  return (1 + delays.length) * (task.TimeoutSeconds ?? 0) + delays.reduce((sum, delay) => sum + delay, 0);
};

/** Seconds of the longest path from `from` (the start state by default) to an end, every retry spent. */
export const worstCaseSeconds = (machine: StateMachine, from: string = machine.StartAt): number => {
  const state = machine.States[from];
  if (state === undefined) throw new Error(`the definition has no state ${from}`);
  const own =
    state.Type === 'Task'
      ? worstTaskSeconds(state)
      : Math.max(0, ...(state.Branches ?? []).map((branch) => worstCaseSeconds(branch)));
  const next = [
    state.Next,
    state.Default,
    ...(state.Choices ?? []).map((choice) => choice.Next),
    ...(state.Catch ?? []).map((catcher) => catcher.Next),
  ].filter((candidate): candidate is string => candidate !== undefined);
  return own + Math.max(0, ...next.map((candidate) => worstCaseSeconds(machine, candidate)));
};
