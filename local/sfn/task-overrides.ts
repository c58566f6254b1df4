import type { RunOptions } from 'aws-local-stepfunctions';
import { isJsonObject } from './definition';
import { type InvocationScope, makeLambdaContext } from './lambda-context';
import type { FunctionResolver, LambdaTask, ResolvedFunction } from './lambda-tasks';
import { type HistoryRecorder, type TaskEvents, taskEventsFor } from './task-events';

type TaskOverrides = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type JsonValue = Parameters<TaskOverrides[string]>[0];

/** What a Task override needs from its execution. */
export interface TaskRuntime extends InvocationScope, HistoryRecorder {
  isClosed(): boolean;
  /** Called once when the execution ends (stopped, timed out); returns an unsubscribe function. */
  onClose(listener: () => void): () => void;
}

/**
 * A failed invocation as Lambda reports it. The interpreter matches Retry/Catch `ErrorEquals`
 * against `name` and reports `message` as the Cause, so `name` is Lambda's errorType and
 * `message` is Lambda's error document `{"errorType","errorMessage","trace"}`.
 */
export class LambdaTaskError extends Error {
  constructor(errorType: string, cause: string) {
    super(cause);
    this.name = errorType;
  }
}

/** Ends a Task still in flight when its execution ends; the interpreter must neither retry nor catch it. */
class ExecutionClosedError extends Error {
  // The interpreter reads these two flags (`error.isRetryable ?? true`) before Retry and Catch.
  readonly isRetryable = false;
  readonly isCatchable = false;

  constructor() {
    super('The execution has ended');
    this.name = 'States.Runtime';
  }
}

export const toLambdaTaskError = (thrown: unknown): LambdaTaskError => {
  const error = thrown instanceof Error ? thrown : new Error(String(thrown));
  const errorType = error.name || 'Error';
  const trace = (error.stack ?? '').split('\n');
  return new LambdaTaskError(errorType, JSON.stringify({ errorType, errorMessage: error.message, trace }));
};

/** Lambda serializes events and responses: handlers never share objects with the interpreter. */
const asJson = (value: unknown): JsonValue => {
  const text = JSON.stringify(value);
  return text === undefined ? null : JSON.parse(text);
};

interface Invocation {
  readonly fn: ResolvedFunction;
  readonly payload: unknown;
}

const invocationOf = (task: LambdaTask, input: JsonValue, resolve: FunctionResolver): Invocation => {
  const parameters = isJsonObject(input) ? input : {};
  const functionName = task.integration === 'invoke' ? parameters.FunctionName : task.resource;
  const fn = typeof functionName === 'string' ? resolve(functionName) : undefined;
  if (!fn) {
    throw new LambdaTaskError(
      'Lambda.ResourceNotFoundException',
      `Function not found: ${String(functionName)}`,
    );
  }
  return { fn, payload: task.integration === 'invoke' ? (parameters.Payload ?? {}) : input };
};

const runHandler = async (
  task: LambdaTask,
  invocation: Invocation,
  runtime: TaskRuntime,
): Promise<JsonValue> => {
  const context = makeLambdaContext(invocation.fn, runtime, Date.now() + task.contextTimeoutMs);
  const result = asJson(await invocation.fn.handler(asJson(invocation.payload), context));
  return task.integration === 'invoke'
    ? { ExecutedVersion: '$LATEST', Payload: result, StatusCode: 200 }
    : result;
};

const invokeTask = (task: LambdaTask, input: JsonValue, resolve: FunctionResolver, runtime: TaskRuntime) =>
  new Promise<JsonValue>((resolvePromise, rejectPromise) => {
    if (runtime.isClosed()) {
      rejectPromise(new ExecutionClosedError());
      return;
    }
    const events: TaskEvents = taskEventsFor(task, runtime, runtime.region);
    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    let stopListening = (): void => undefined;
    const finish = (): boolean => {
      if (finished) return false;
      finished = true;
      clearTimeout(timer);
      stopListening();
      return true;
    };
    stopListening = runtime.onClose(() => {
      if (finish()) rejectPromise(new ExecutionClosedError());
    });
    if (task.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        // Stays pending on purpose: the interpreter's own timer (1 ms later) fails the state with
        // its States.Timeout, the one error that `States.TaskFailed` does not match.
        if (finish()) events.timedOut();
      }, task.timeoutMs);
    }
    // The override runs in the same tick as the interpreter logs <Type>StateEntered; one turn of
    // the event loop lets that entry reach the history before TaskScheduled.
    setImmediate(() => {
      if (finished) return;
      events.scheduled(input);
      let invocation: Invocation;
      try {
        invocation = invocationOf(task, input, resolve);
      } catch (error) {
        const failure = error instanceof LambdaTaskError ? error : toLambdaTaskError(error);
        if (!finish()) return;
        events.failed(failure.name, failure.message);
        rejectPromise(failure);
        return;
      }
      events.started();
      runHandler(task, invocation, runtime).then(
        (output) => {
          if (!finish()) return;
          events.succeeded(output);
          resolvePromise(output);
        },
        (error: unknown) => {
          if (!finish()) return;
          const failure = toLambdaTaskError(error);
          events.failed(failure.name, failure.message);
          rejectPromise(failure);
        },
      );
    });
  });

/** Overrides keyed by state name (the interpreter's key, shared by nested Parallel/Map states). */
export const makeTaskOverrides = (
  tasks: readonly LambdaTask[],
  resolve: FunctionResolver,
  runtime: TaskRuntime,
): TaskOverrides =>
  Object.fromEntries(
    tasks.map((task) => [task.stateName, (input: JsonValue) => invokeTask(task, input, resolve, runtime)]),
  );
