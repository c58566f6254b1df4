import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { type AccountScope, executionArnOf } from './arns';
import { SfnApiError } from './errors';
import { ExecutionHistory, type InterpreterEvent } from './history';
import { isResumeState, resumeDefinition, StateLedger } from './redrive-plan';
import type { RegisteredStateMachine } from './state-machines';
import type { StatusNotifier } from './status-events';
import { makeTaskOverrides, type TaskRuntime } from './task-overrides';
import type { ExecutionDescription, ExecutionStatus, RedriveStatus } from './types';

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

/** Step Functions' redrive limits (RedriveExecution, DescribeExecution's redriveStatusReason). */
export const REDRIVABLE_PERIOD_MS = 14 * 24 * 3600 * 1000;
const MAX_OPEN_MS = 365 * 24 * 3600 * 1000;
/**
 * A redrive is refused once the history holds this many events ("Execution history event limit
 * exceeded."); every redrive adds to it. AWS documents no other cap on the redrives of one Standard
 * execution (its 1,000-redrive limit is per Map Run).
 */
export const MAX_HISTORY_EVENTS = 25_000;

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
  readonly startDate: Date;
  readonly history = new ExecutionHistory();
  #ending?: Ending & { readonly stopDate: Date };
  readonly #closeListeners = new Set<() => void>();
  #abortRun: () => void = () => undefined;
  #timeoutTimer?: NodeJS.Timeout;
  #notifications: Promise<void> = Promise.resolve();
  #resolveEnded: () => void = () => undefined;
  #ended!: Promise<void>;
  /** Which attempt runs: a Task of an earlier attempt that answers late is not heard. */
  #attempt = 0;
  #redriveCount = 0;
  #redriveDate?: Date;
  readonly #ledger = new StateLedger();
  /** clientToken → the redrive it started: RedriveExecution is idempotent per token. */
  readonly #redriveTokens = new Map<string, Date>();

  constructor(
    readonly machine: RegisteredStateMachine,
    readonly name: string,
    readonly input: string,
    private readonly scope: AccountScope,
    private readonly notify: StatusNotifier,
    private readonly clock: () => Date = () => new Date(),
    private readonly maxHistoryEvents: number = MAX_HISTORY_EVENTS,
  ) {
    this.executionArn = executionArnOf(scope, machine.name, name);
    this.startDate = clock();
    this.#newAttempt();
  }

  /** Resolves once the current attempt has ended and its status change event has been delivered. */
  get ended(): Promise<void> {
    return this.#ended;
  }

  get status(): ExecutionStatus {
    return this.#ending?.status ?? 'RUNNING';
  }

  get redriveCount(): number {
    return this.#redriveCount;
  }

  get redriveDate(): Date | undefined {
    return this.#redriveDate;
  }

  /** Why RedriveExecution would refuse the execution now, in DescribeExecution's words; undefined if it would not. */
  notRedrivableReason(): string | undefined {
    const ending = this.#ending;
    if (ending === undefined) return 'Execution is RUNNING and cannot be redriven.';
    if (ending.status === 'SUCCEEDED') return 'Execution is SUCCEEDED and cannot be redriven.';
    const now = this.clock().getTime();
    if (now - this.startDate.getTime() > MAX_OPEN_MS) return 'Execution has exceeded the max execution time.';
    if (now - ending.stopDate.getTime() > REDRIVABLE_PERIOD_MS)
      return 'Execution redrivable period exceeded.';
    if (this.history.events.length >= this.maxHistoryEvents) return 'Execution history event limit exceeded.';
    return undefined;
  }

  get redriveStatus(): RedriveStatus {
    return this.notRedrivableReason() === undefined ? 'REDRIVABLE' : 'NOT_REDRIVABLE';
  }

  describe(): ExecutionDescription {
    const reason = this.notRedrivableReason();
    return {
      executionArn: this.executionArn,
      stateMachineArn: this.machine.arn,
      name: this.name,
      status: this.status,
      startDate: this.startDate,
      input: this.input,
      ...this.#ending,
      redriveCount: this.#redriveCount,
      ...(this.#redriveDate === undefined ? {} : { redriveDate: this.#redriveDate }),
      redriveStatus: reason === undefined ? 'REDRIVABLE' : 'NOT_REDRIVABLE',
      ...(reason === undefined ? {} : { redriveStatusReason: reason }),
    };
  }

  /**
   * RedriveExecution: the same execution (ARN, input, definition) continues from its unsuccessful
   * state; successful states are not run again. Returns the redrive's date; a clientToken already
   * used for this execution returns its redrive without another. The caller then runs `start()`.
   */
  redrive(clientToken: string | undefined): { readonly redriveDate: Date; readonly isNew: boolean } {
    const seen = clientToken === undefined ? undefined : this.#redriveTokens.get(clientToken);
    if (seen !== undefined) return { redriveDate: seen, isNew: false };
    const reason = this.notRedrivableReason();
    if (reason !== undefined) throw new SfnApiError('ExecutionNotRedrivable', reason);
    const redriveDate = this.clock();
    if (clientToken !== undefined) this.#redriveTokens.set(clientToken, redriveDate);
    this.#redriveCount += 1;
    this.#redriveDate = redriveDate;
    this.#ending = undefined;
    this.#newAttempt();
    this.history.record('ExecutionRedriven', 'executionRedrivenEventDetails', {
      redriveCount: this.#redriveCount,
    });
    this.#announce();
    return { redriveDate, isNew: true };
  }

  #newAttempt(): void {
    this.#attempt += 1;
    this.#ended = new Promise<void>((resolve) => {
      this.#resolveEnded = resolve;
    });
  }

  /** The first attempt runs the definition from StartAt; a redriven one resumes where the last one stopped. */
  #interpreter(): StateMachine {
    if (this.#redriveCount === 0 || this.#ledger.isEmpty) return this.machine.interpreter;
    const resumed = resumeDefinition(this.machine.interpreterDefinition, this.#ledger);
    return new StateMachine(resumed as unknown as StateMachineDefinition, {
      validationOptions: { noValidate: true },
    });
  }

  start(): void {
    const { machine } = this;
    const input = JSON.parse(this.input);
    if (this.#redriveCount === 0) {
      this.history.record('ExecutionStarted', 'executionStartedEventDetails', {
        input: this.input,
        inputDetails: { truncated: false },
        roleArn: machine.roleArn,
      });
      this.#announce();
    }
    const run = this.#interpreter().run(input, {
      noThrowOnAbort: true,
      // The interpreter's context object only has Input and StartTime unless given one.
      context: {
        Execution: {
          Id: this.executionArn,
          Name: this.name,
          Input: input,
          StartTime: this.startDate.toISOString(),
          RoleArn: machine.roleArn,
          RedriveCount: this.#redriveCount,
          ...(this.#redriveDate === undefined ? {} : { RedriveTime: this.#redriveDate.toISOString() }),
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
    const attempt = this.#attempt;
    const logged = this.#recordLog(run.eventLogs, attempt);
    run.result.then(
      async (output) => {
        await logged;
        if (attempt === this.#attempt) this.#succeed(output);
      },
      async (error: unknown) => {
        await logged;
        if (attempt === this.#attempt) this.#end(failureOf(error));
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

  async #recordLog(events: AsyncGenerator<InterpreterEvent>, attempt: number): Promise<void> {
    for await (const event of events) {
      if (this.#ending || attempt !== this.#attempt) continue;
      if (event.type === 'StateEntered') this.#ledger.entered(event.state.name, event.state.input);
      if (event.type === 'StateExited') this.#ledger.exited(event.state.name, event.state.output);
      // The states a redrive adds to resume are the endpoint's own, not the definition's.
      if ('state' in event && isResumeState(event.state.name)) continue;
      this.history.recordInterpreterEvent(event);
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
    const ended = { ...ending, stopDate: this.clock() };
    this.#ending = ended;
    clearTimeout(this.#timeoutTimer);
    for (const listener of this.#closeListeners) listener();
    this.#closeListeners.clear();
    if (ending.status === 'ABORTED' || ending.status === 'TIMED_OUT') this.#abortRun();
    const [type, detailsKey] = TERMINAL_EVENTS[ending.status];
    const { status: _status, ...details } = ending;
    this.history.record(type, detailsKey, details);
    if (announce) this.#announce();
    const resolveEnded = this.#resolveEnded;
    this.#notifications.then(() => resolveEnded());
    return ended;
  }

  /** Status change events go out one at a time, in order; the notifier never rejects. */
  #announce(): void {
    const snapshot = this.describe();
    this.#notifications = this.#notifications.then(() => this.notify(snapshot));
  }

  #taskRuntime(): TaskRuntime {
    const attempt = this.#attempt;
    return {
      region: this.scope.region,
      accountId: this.scope.accountId,
      isClosed: () => this.#ending !== undefined || attempt !== this.#attempt,
      onClose: (listener) => {
        this.#closeListeners.add(listener);
        return () => this.#closeListeners.delete(listener);
      },
      record: (type, detailsKey, details) => {
        if (!this.#ending && attempt === this.#attempt) this.history.record(type, detailsKey, details);
      },
    };
  }
}
