import type { LocalFunction } from '../derive/types';
import type { InvocationRequest, LoadedFunction } from './load';

/**
 * Instances of one function run one invocation at a time, as a Lambda sandbox does, so module-scope
 * state (a batch processor, the logger's keys, buffered metrics) never serves two invocations at
 * once. A pool hands each invocation a free instance and starts another when all are busy, one start
 * at a time (starting is expensive: a module load, or a process), up to `max`; beyond that an
 * invocation waits for a free one (a caller's deadline running, the function's own timeout not yet).
 */
export class FunctionPool<T extends LoadedFunction> implements LoadedFunction {
  readonly #instances: T[];
  readonly #idle: T[];
  readonly #waiting: ((instance: T) => void)[] = [];
  #starting = false;

  constructor(
    first: T,
    private readonly start: () => Promise<T>,
    private readonly max: number,
    private readonly onStartFailed: (error: unknown) => void = () => undefined,
  ) {
    this.#instances = [first];
    this.#idle = [first];
  }

  get spec(): LocalFunction {
    return this.#first.spec;
  }

  get log(): (chunk: string) => void {
    return this.#first.log;
  }

  /** Every instance started so far. */
  get instances(): readonly T[] {
    return this.#instances;
  }

  get #first(): T {
    const [first] = this.#instances;
    if (first === undefined) throw new Error('a function pool always holds its first instance');
    return first;
  }

  async run(event: unknown, request: InvocationRequest): Promise<unknown> {
    const queuedAt = Date.now();
    const instance = await this.#acquire();
    // The function's own timeout runs from when an instance takes the invocation, as Lambda's clock
    // starts in the sandbox; a caller's earlier deadline (a saga task's timeout) keeps running.
    const waited = Date.now() - queuedAt;
    const timeoutAt = request.timeoutAt + waited;
    const deadline =
      request.deadline === request.timeoutAt ? timeoutAt : Math.min(request.deadline, timeoutAt);
    try {
      return await instance.run(event, { ...request, deadline, timeoutAt });
    } finally {
      this.#release(instance);
    }
  }

  #acquire(): Promise<T> {
    const idle = this.#idle.pop();
    if (idle !== undefined) return Promise.resolve(idle);
    const waiter = new Promise<T>((resolve) => this.#waiting.push(resolve));
    this.#grow();
    return waiter;
  }

  #grow(): void {
    if (this.#starting || this.#instances.length >= this.max || this.#waiting.length === 0) return;
    this.#starting = true;
    // On a later turn: a burst of invocations must not start instances back to back in one tick.
    setImmediate(() => {
      this.start().then(
        (instance) => {
          this.#instances.push(instance);
          this.#starting = false;
          this.#release(instance);
          this.#grow();
        },
        (error: unknown) => {
          // The waiting invocations keep waiting for the instances that run.
          this.#starting = false;
          this.onStartFailed(error);
        },
      );
    });
  }

  #release(instance: T): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next(instance);
    else this.#idle.push(instance);
  }
}
