import { type ChildProcess, fork } from 'node:child_process';
import * as path from 'node:path';
import type { LocalFunction } from '../derive/types';
import { lambdaContextFields } from './context';
import { LambdaTimeout, RuntimeExitError } from './errors';
import type { InvocationRequest, LoadedFunction } from './load';

/** Forked in each sandbox: plain CommonJS that requires only Node.js built-ins. */
const RUNNER = path.join(__dirname, 'sandbox-runner.cjs');

/** An error as Lambda's runtime reports it. */
interface ErrorPayload {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace: readonly string[];
}

type RunnerMessage =
  | { readonly type: 'ready'; readonly nodeVersion: string }
  | { readonly type: 'init-error'; readonly error: ErrorPayload }
  | { readonly type: 'crash'; readonly error: ErrorPayload }
  | {
      readonly type: 'result';
      readonly requestId: string;
      readonly value?: unknown;
      readonly error?: ErrorPayload;
    };

/** The error a handler threw, rebuilt in this process: its name is Lambda's errorType. */
const errorOf = (payload: ErrorPayload): Error => {
  const error = new Error(payload.errorMessage);
  error.name = payload.errorType;
  error.stack = payload.trace.join('\n');
  return error;
};

/** A sandbox that cannot start: its bundle fails to load, or no node_modules-free place exists for it. */
export class SandboxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxError';
  }
}

type Outcome = { readonly value: unknown } | { readonly error: Error };

/** Settles an invocation the process is running (its timers cleared); later outcomes are ignored. */
type Pending = (outcome: Outcome) => void;

/** One sandbox process: it takes invocations until it exits or is killed. */
interface Instance {
  readonly child: ChildProcess;
  /** Resolves when the handler is loaded (Init); rejects with the init error. */
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
  readonly pending: Map<string, Pending>;
  /** Timed out while running other invocations: killed once they settle, and given no new ones. */
  retiring: boolean;
}

export interface SandboxOptions {
  readonly spec: LocalFunction;
  /** The bundle's directory: the sandbox's working directory and LAMBDA_TASK_ROOT. */
  readonly taskRoot: string;
  /** The process's whole environment. */
  readonly env: Readonly<Record<string, string>>;
  /** The function's log: the process's stdout and stderr go there. */
  readonly log: (chunk: string) => void;
}

/**
 * A bundled function's Lambda sandbox: a fresh Node.js process (this one's executable, so the
 * Node.js major the npm scripts run on) in the bundle's directory, with exactly the function's
 * environment, that loads `index.js` and runs invocations sent over IPC.
 *
 * Invocations run concurrently in one process (in-process functions share module state the same
 * way; Lambda would give each concurrent invocation its own sandbox, which on a 2-core machine
 * would mean dozens of processes). An invocation fails with Sandbox.Timedout at its deadline.
 * When that is the function's own timeout, the process is recycled, as Lambda recycles a timed-out
 * sandbox: new invocations go to a fresh process at once, and the old one is killed as soon as the
 * other invocations it runs have settled (killing it at once would fail them too, which one
 * timeout never does in Lambda). An earlier deadline of the caller (a Step Functions task timeout)
 * only stops the waiting: in AWS the invocation runs on until the function's own timeout. A
 * process that ends fails what it was running with Runtime.ExitError (an uncaught error: with
 * that error); the next invocation starts a fresh one.
 */
export class LambdaSandbox implements LoadedFunction {
  private current: Instance | undefined;
  private readonly live = new Set<Instance>();
  private started = 0;
  private reportedNodeVersion: string | undefined;
  private stopped = false;

  constructor(private readonly options: SandboxOptions) {}

  get spec(): LocalFunction {
    return this.options.spec;
  }

  get log(): (chunk: string) => void {
    return this.options.log;
  }

  /** Process id of the running sandbox, if one runs. */
  get pid(): number | undefined {
    return this.current?.child.pid;
  }

  /** Processes started so far: 1, plus one for every restart after a timeout, a crash or an exit. */
  get starts(): number {
    return this.started;
  }

  /** `process.version` as the last sandbox to load its handler reported it. */
  get nodeVersion(): string | undefined {
    return this.reportedNodeVersion;
  }

  /** Starts the process and loads the handler now (Lambda's Init); rejects with the init error. */
  async start(): Promise<void> {
    await this.instance().ready;
  }

  run(event: unknown, { requestId, deadline, timeoutAt }: InvocationRequest): Promise<unknown> {
    if (this.stopped) return Promise.reject(new Error(`the sandbox of ${this.spec.name} is stopped`));
    const instance = this.instance();
    return new Promise((resolve, reject) => {
      let answered = false;
      const answer = (outcome: Outcome) => {
        if (answered) return;
        answered = true;
        if ('error' in outcome) reject(outcome.error);
        else resolve(outcome.value);
      };
      const timedOut = () => ({ error: new LambdaTimeout(requestId, this.spec.timeoutSeconds) });
      // An earlier deadline of the caller only stops the waiting: the invocation runs on, as a
      // Lambda invocation outlives the Step Functions task timeout that gave up on it.
      const callerGivesUp =
        deadline < timeoutAt
          ? setTimeout(() => answer(timedOut()), Math.max(0, deadline - Date.now()))
          : undefined;
      // The function's own timeout: Lambda ends the invocation and recycles the sandbox, before
      // the caller hears of it (its next invocation must find the fresh sandbox).
      const lambdaEndsIt = setTimeout(
        () => {
          instance.pending.delete(requestId);
          this.recycle(instance);
          answer(timedOut());
        },
        Math.max(0, timeoutAt - Date.now()),
      );
      instance.pending.set(requestId, (outcome) => {
        clearTimeout(callerGivesUp);
        clearTimeout(lambdaEndsIt);
        answer(outcome);
      });
      instance.ready.then(
        () => {
          if (!instance.pending.has(requestId)) return;
          const context = lambdaContextFields(this.spec, requestId);
          // A send that fails means the process is ending: its exit fails the invocation.
          instance.child.send({ type: 'invoke', requestId, event, deadline, context }, () => undefined);
        },
        // An init error has already failed every invocation waiting for it.
        () => undefined,
      );
    });
  }

  /** Kills every process and waits until they are gone; later invocations fail. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.killNow();
    await Promise.all([...this.live].map((instance) => instance.exited));
  }

  /** Kills every process at once, without waiting: for `process.on('exit')`. */
  killNow(): void {
    for (const instance of this.live) instance.child.kill('SIGKILL');
  }

  private instance(): Instance {
    this.current ??= this.spawn();
    return this.current;
  }

  /** Lambda recycles a sandbox whose invocation timed out; a fresh one takes the next invocation. */
  private recycle(instance: Instance): void {
    if (this.current === instance) this.current = undefined;
    if (instance.pending.size === 0) instance.child.kill('SIGKILL');
    else instance.retiring = true;
  }

  private spawn(): Instance {
    const { taskRoot, env, log } = this.options;
    const child = fork(RUNNER, [], {
      cwd: taskRoot,
      env: { ...env },
      execPath: process.execPath,
      // Not this process's flags (tsx's loader): the sandbox runs plain Node.js on the bundle.
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.started += 1;
    child.stdout?.setEncoding('utf8').on('data', log);
    child.stderr?.setEncoding('utf8').on('data', log);

    const pending = new Map<string, Pending>();
    const failAll = (errorFor: (requestId: string) => Error): void => {
      for (const [requestId, settle] of pending) settle({ error: errorFor(requestId) });
      pending.clear();
    };
    let markReady = (): void => undefined;
    let failInit = (_error: Error): void => undefined;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failInit = reject;
    });
    // Only start() awaits it; invocations waiting for it are failed through failAll.
    ready.catch(() => undefined);
    let markExited = (): void => undefined;
    const exited = new Promise<void>((resolve) => {
      markExited = resolve;
    });
    const instance: Instance = { child, ready, exited, pending, retiring: false };
    const gone = (errorFor: (requestId: string | undefined) => Error): void => {
      if (!this.live.delete(instance)) return;
      if (this.current === instance) this.current = undefined;
      failInit(errorFor(undefined));
      failAll(errorFor);
      markExited();
    };

    child.on('message', (message: RunnerMessage) => {
      switch (message.type) {
        case 'ready':
          this.reportedNodeVersion = message.nodeVersion;
          markReady();
          break;
        case 'init-error':
        case 'crash': {
          // The runner exits right after; until then nothing else may land in this process.
          if (this.current === instance) this.current = undefined;
          const error = errorOf(message.error);
          failInit(error);
          failAll(() => error);
          break;
        }
        case 'result': {
          const settle = pending.get(message.requestId);
          if (!settle) break;
          pending.delete(message.requestId);
          settle(message.error ? { error: errorOf(message.error) } : { value: message.value });
          if (instance.retiring && pending.size === 0) child.kill('SIGKILL');
          break;
        }
      }
    });
    // 'close', not 'exit': by then everything the process wrote is in its log.
    child.once('close', (code, signal) => gone((requestId) => new RuntimeExitError(requestId, code, signal)));
    // The process could not be started at all (no 'exit' follows then).
    child.once('error', (error) => {
      if (child.pid === undefined) gone(() => error);
    });
    this.live.add(instance);
    return instance;
  }
}
