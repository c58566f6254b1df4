import { ExecutionError } from 'aws-local-stepfunctions';
import { type AccountScope, executionArnOf } from './arns';
import { ExecutionHistory, type InterpreterEvent } from './history';
import type { RegisteredStateMachine } from './state-machines';
import type { StatusNotifier } from './status-events';
import { makeTaskOverrides, type TaskRuntime } from './task-overrides';
import type { ExecutionDescription, ExecutionStatus } from './types';

/** Step Functions' limit on an execution's input and output (UTF-8 bytes). */
export const MAX_PAYLOAD_BYTES = 262_144;

interface Ending {
  readonly status: Exclude<ExecutionStatus, 'RUNNING'>;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
}

const TERMINAL_EVENTS = {
  SUCCEEDED: ['ExecutionSucceeded', 'executionSucceededEventDetails'],
  FAILED: ['ExecutionFailed', 'executionFailedEventDetails'],
  TIMED_OUT: ['ExecutionTimedOut', 'executionTimedOutEventDetails'],
  ABORTED: ['ExecutionAborted', 'executionAbortedEventDetails'],
} as const;

/** The interpreter rejects with an ExecutionError whose cause is the state's error (name = ASL error). */
const failureOf = (thrown: unknown): Ending => {
  const reason = thrown instanceof ExecutionError && thrown.cause instanceof Error ? thrown.cause : thrown;
  return reason instanceof Error
    ? { status: 'FAILED', error: reason.name, cause: reason.message }
    : { status: 'FAILED', error: 'States.Runtime', cause: String(reason) };
};

/** One execution: runs the interpreter, keeps its history and status, and reports its ending once. */
export class Execution {
  readonly executionArn: string;
  readonly startDate = new Date();
  readonly history = new ExecutionHistory();
  #ending?: Ending & { readonly stopDate: Date };
  readonly #closeListeners = new Set<() => void>();
  #abortRun: () => void = () => undefined;
  #timeoutTimer?: NodeJS.Timeout;
  #notifications: Promise<void> = Promise.resolve();
  #resolveEnded: () => void = () => undefined;
  /** Resolves once the execution has ended and its status change event has been delivered. */
  readonly ended = new Promise<void>((resolve) => {
    this.#resolveEnded = resolve;
  });

  constructor(
    readonly machine: RegisteredStateMachine,
    readonly name: string,
    readonly input: string,
    private readonly scope: AccountScope,
    private readonly notify: StatusNotifier,
  ) {
    this.executionArn = executionArnOf(scope, machine.name, name);
  }

  get status(): ExecutionStatus {
    return this.#ending?.status ?? 'RUNNING';
  }

  describe(): ExecutionDescription {
    return {
      executionArn: this.executionArn,
      stateMachineArn: this.machine.arn,
      name: this.name,
      status: this.status,
      startDate: this.startDate,
      input: this.input,
      ...this.#ending,
    };
  }

  start(): void {
    const { machine } = this;
    const input = JSON.parse(this.input);
    this.history.record('ExecutionStarted', 'executionStartedEventDetails', {
      input: this.input,
      inputDetails: { truncated: false },
      roleArn: machine.roleArn,
    });
    this.#announce();
    const run = machine.interpreter.run(input, {
      noThrowOnAbort: true,
      // The interpreter's context object only has Input and StartTime unless given one.
      context: {
        Execution: {
          Id: this.executionArn,
          Name: this.name,
          Input: input,
          StartTime: this.startDate.toISOString(),
          RoleArn: machine.roleArn,
          RedriveCount: 0,
        },
        StateMachine: { Id: machine.arn, Name: machine.name },
      },
      overrides: {
        taskResourceLocalHandlers: makeTaskOverrides(
          machine.tasks,
          machine.resolveFunction,
          this.#taskRuntime(),
        ),
        waitTimeOverrides: { ...machine.waitTimeOverrides },
      },
    });
    this.#abortRun = run.abort;
    if (machine.executionTimeoutMs !== undefined) {
      this.#timeoutTimer = setTimeout(
        () => this.#end({ status: 'TIMED_OUT', error: 'States.Timeout', cause: 'The execution timed out' }),
        machine.executionTimeoutMs,
      );
    }
    const logged = this.#recordLog(run.eventLogs);
    run.result.then(
      async (output) => {
        await logged;
        this.#succeed(output);
      },
      async (error: unknown) => {
        await logged;
        this.#end(failureOf(error));
      },
    );
  }

  /** StopExecution: ABORTED at once; a Task in flight is abandoned (its handler runs on, unheard). */
  stop(error?: string, cause?: string): Date {
    return this.#end({ status: 'ABORTED', error, cause }).stopDate;
  }

  /** The endpoint is going away: abort without a status change event (listeners may be gone). */
  async shutdown(): Promise<void> {
    this.#end({ status: 'ABORTED', cause: 'The local Step Functions endpoint stopped' }, false);
    await this.ended;
  }

  async #recordLog(events: AsyncGenerator<InterpreterEvent>): Promise<void> {
    for await (const event of events) {
      if (!this.#ending) this.history.recordInterpreterEvent(event);
    }
  }

  #succeed(result: unknown): void {
    const output = JSON.stringify(result ?? null);
    if (Buffer.byteLength(output) > MAX_PAYLOAD_BYTES) {
      this.#end({
        status: 'FAILED',
        error: 'States.DataLimitExceeded',
        cause: 'The execution output is too large',
      });
      return;
    }
    this.#end({ status: 'SUCCEEDED', output });
  }

  #end(ending: Ending, announce = true): Ending & { readonly stopDate: Date } {
    if (this.#ending) return this.#ending;
    const ended = { ...ending, stopDate: new Date() };
    this.#ending = ended;
    clearTimeout(this.#timeoutTimer);
    for (const listener of this.#closeListeners) listener();
    this.#closeListeners.clear();
    if (ending.status === 'ABORTED' || ending.status === 'TIMED_OUT') this.#abortRun();
    const [type, detailsKey] = TERMINAL_EVENTS[ending.status];
    const { status: _status, ...details } = ending;
    this.history.record(type, detailsKey, details);
    if (announce) this.#announce();
    this.#notifications.then(() => this.#resolveEnded());
    return ended;
  }

  /** Status change events go out one at a time, in order; the notifier never rejects. */
  #announce(): void {
    const snapshot = this.describe();
    this.#notifications = this.#notifications.then(() => this.notify(snapshot));
  }

  #taskRuntime(): TaskRuntime {
    return {
      region: this.scope.region,
      accountId: this.scope.accountId,
      isClosed: () => this.#ending !== undefined,
      onClose: (listener) => {
        this.#closeListeners.add(listener);
        return () => this.#closeListeners.delete(listener);
      },
      record: (type, detailsKey, details) => {
        if (!this.#ending) this.history.record(type, detailsKey, details);
      },
    };
  }
}
