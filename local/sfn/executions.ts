import { type AccountScope, assertExecutionArn, executionArnOf } from './arns';
import { SfnApiError } from './errors';
import { Execution } from './execution';
import type { RunningLimit } from './running-limit';
import type { RegisteredStateMachine } from './state-machines';
import type { StatusNotifier } from './status-events';
import type { ExecutionStatus } from './types';

/**
 * All executions of the endpoint, with Standard workflows' rules for names. At most
 * `maxRunning` run at once (a number, or a RunningLimit that moves); later ones are RUNNING to the
 * API but wait for a free slot before their first state (their execution timeout starts then): one machine's stand-ins have a capacity AWS
 * does not, and a task that queues behind hundreds of others would time out for nothing.
 */
export class ExecutionStore {
  readonly #executions = new Map<string, Execution>();
  readonly #waiting: Execution[] = [];
  #running = 0;
  readonly #limit: RunningLimit;

  constructor(
    private readonly scope: AccountScope,
    private readonly notify: StatusNotifier,
    maxRunning: number | RunningLimit = Number.POSITIVE_INFINITY,
    private readonly clock: () => Date = () => new Date(),
    private readonly maxHistoryEvents?: number,
  ) {
    this.#limit =
      typeof maxRunning === 'number' ? { current: maxRunning, onRaise: () => undefined } : maxRunning;
    this.#limit.onRaise(() => this.#startWaiting());
  }

  /**
   * The same name and input while the execution runs returns that execution (StartExecution is
   * idempotent then); any other reuse of a name is ExecutionAlreadyExists.
   */
  start(machine: RegisteredStateMachine, name: string, input: string): Execution {
    const executionArn = executionArnOf(this.scope, machine.name, name);
    const existing = this.#executions.get(executionArn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) return existing;
      throw new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const execution = new Execution(
      machine,
      name,
      input,
      this.scope,
      this.notify,
      this.clock,
      this.maxHistoryEvents,
    );
    this.#executions.set(executionArn, execution);
    this.#waiting.push(execution);
    this.#startWaiting();
    return execution;
  }

  /**
   * RedriveExecution: the execution continues under its own ARN, waiting for a slot like a start.
   * A clientToken already used for it answers that redrive's date again and runs nothing more.
   */
  redrive(executionArn: string, clientToken: string | undefined): Date {
    const execution = this.get(executionArn);
    const { redriveDate, isNew } = execution.redrive(clientToken);
    if (isNew) {
      this.#waiting.push(execution);
      this.#startWaiting();
    }
    return redriveDate;
  }

  /**
   * StopExecution: ABORTED at once. One stopped while it waited for a slot leaves the queue now, so a
   * later redrive queues it once, not twice.
   */
  stop(executionArn: string, error: string | undefined, cause: string | undefined): Date {
    const execution = this.get(executionArn);
    const stopDate = execution.stop(error, cause);
    const waiting = this.#waiting.indexOf(execution);
    if (waiting !== -1) this.#waiting.splice(waiting, 1);
    return stopDate;
  }

  #startWaiting(): void {
    while (this.#running < this.#limit.current) {
      const next = this.#waiting.shift();
      if (next === undefined) return;
      this.#running += 1;
      void next.ended.then(() => {
        this.#running -= 1;
        this.#startWaiting();
      });
      next.start();
    }
  }

  get(executionArn: string): Execution {
    assertExecutionArn(executionArn);
    const execution = this.#executions.get(executionArn);
    if (!execution)
      throw new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return execution;
  }

  /** Newest first, as ListExecutions returns them. */
  list(stateMachineArn: string, status?: ExecutionStatus, redriven?: boolean): Execution[] {
    return [...this.#executions.values()]
      .filter((execution) => execution.machine.arn === stateMachineArn)
      .filter((execution) => status === undefined || execution.status === status)
      .filter((execution) => redriven === undefined || execution.redriveCount > 0 === redriven)
      .reverse()
      .sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.#executions.values()].map((execution) => execution.shutdown()));
  }
}
