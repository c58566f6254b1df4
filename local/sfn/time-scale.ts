import { forEachState, isJsonObject, type JsonObject } from './definition';

/** setTimeout's ceiling: longer delays fire after 1 ms, so every scaled duration stays below it. */
const MAX_TIMER_MS = 2_147_483_647;

/** A duration from the definition, in milliseconds after scaling; at least 1 ms. */
export const scaledMs = (seconds: number, timeScale: number): number =>
  Math.min(MAX_TIMER_MS - 1, Math.max(1, Math.round(seconds * 1000 * timeScale)));

/**
 * How the endpoint shortens time. Task timeouts scale like every other duration, but never below
 * `minTaskTimeoutMs`: the work a task does (DynamoDB Local on one machine, a burst of executions
 * queued behind each other) does not get faster with the clock, and a task timeout shorter than that
 * work would turn a slow machine into failed orders.
 */
export interface TimeScale {
  readonly factor: number;
  /** @default 0 */
  readonly minTaskTimeoutMs?: number;
}

export const taskTimeoutMs = (seconds: number, scale: TimeScale): number =>
  Math.min(
    MAX_TIMER_MS - 1,
    Math.max(scaledMs(seconds, scale.factor), Math.min(seconds * 1000, scale.minTaskTimeoutMs ?? 0)),
  );

export interface InterpreterDefinition {
  /** The copy handed to aws-local-stepfunctions. */
  readonly definition: JsonObject;
  readonly waitTimeOverrides: Record<string, number>;
  /** The execution's scaled `TimeoutSeconds`; the endpoint enforces it itself. */
  readonly executionTimeoutMs?: number;
}

const scaleRetriers = (state: JsonObject, timeScale: number): void => {
  if (!Array.isArray(state.Retry)) return;
  // Scaling the fields (rather than retryIntervalOverrides, one fixed value per retrier) keeps
  // BackoffRate growth, the MaxDelaySeconds cap and FULL jitter exactly as the interpreter computes them.
  for (const retrier of state.Retry.filter(isJsonObject)) {
    const interval = typeof retrier.IntervalSeconds === 'number' ? retrier.IntervalSeconds : 1;
    retrier.IntervalSeconds = interval * timeScale;
    if (typeof retrier.MaxDelaySeconds === 'number')
      retrier.MaxDelaySeconds = retrier.MaxDelaySeconds * timeScale;
  }
};

const scaleTaskTimeout = (state: JsonObject, scale: TimeScale): void => {
  if (state.TimeoutSecondsPath !== undefined) return;
  // The Task override raises TaskTimedOut at scaledMs and then stays pending; the interpreter's own
  // timer, 1 ms later, raises its genuine States.Timeout (which States.TaskFailed does not match).
  // Without TimeoutSeconds AWS waits 99999999 s; the interpreter would stop at 60 s.
  const ms =
    typeof state.TimeoutSeconds === 'number' ? taskTimeoutMs(state.TimeoutSeconds, scale) + 1 : MAX_TIMER_MS;
  state.TimeoutSeconds = ms / 1000;
};

/**
 * Prepares the interpreter's copy of a validated definition: durations multiplied by `timeScale`,
 * Wait `Seconds` turned into waitTimeOverrides, and the execution timeout taken out so that the
 * endpoint can report TIMED_OUT (the interpreter would only reject its result).
 */
export const prepareForInterpreter = (validated: JsonObject, scale: TimeScale): InterpreterDefinition => {
  const timeScale = scale.factor;
  // A JSON round trip, not structuredClone: under jest, structuredClone builds objects of another realm,
  // and the interpreter only expands Parameters templates whose prototype is its own Object.prototype.
  const definition: JsonObject = JSON.parse(JSON.stringify(validated));
  const waitTimeOverrides: Record<string, number> = {};
  forEachState(definition, (name, state) => {
    scaleRetriers(state, timeScale);
    if (state.Type === 'Task') scaleTaskTimeout(state, scale);
    if (state.Type === 'Wait' && typeof state.Seconds === 'number') {
      waitTimeOverrides[name] = Math.round(state.Seconds * 1000 * timeScale);
    }
  });
  const timeout = definition.TimeoutSeconds;
  delete definition.TimeoutSeconds;
  return {
    definition,
    waitTimeOverrides,
    ...(typeof timeout === 'number' ? { executionTimeoutMs: scaledMs(timeout, timeScale) } : {}),
  };
};
