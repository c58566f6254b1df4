import * as path from 'node:path';
import type { Context } from 'aws-lambda';
import type { LocalFunction } from '../derive/types';
import { type FunctionScope, runInScope } from './function-scope';

export type Handler = (event: unknown, context: Context) => unknown;

/** A function of the topology with its handler loaded in-process. */
export interface LoadedFunction {
  readonly spec: LocalFunction;
  /** Runs one invocation on a free instance of the function (see loadFunction). */
  readonly handler: Handler;
  readonly scope: FunctionScope;
}

/**
 * Instances of one function Lambda would run at once: each runs one invocation at a time, as a
 * sandbox does, so module-scope state (a batch processor, the logger's keys, buffered metrics) is
 * never shared by two invocations. More are loaded on demand, up to this many; beyond it an
 * invocation waits for a free one.
 */
export const MAX_INSTANCES_PER_FUNCTION = 16;

/**
 * Drops cached modules of functions/ so the next load gets its own copies, as its own bundle would
 * in AWS: no module-level state is shared between functions or between instances of one function.
 * node_modules stay shared (one AWS SDK, as `instanceof` checks on SDK errors need). Under jest's
 * module registry require.cache is not the registry, so this is a no-op there and instances share
 * their modules: tests that depend on isolation run the runtime in a process of its own.
 */
const forgetFunctionModules = (root: string): void => {
  const functionsDir = path.join(root, 'functions') + path.sep;
  for (const key of Object.keys(require.cache)) {
    if (key.startsWith(functionsDir)) delete require.cache[key];
  }
};

const loadInstance = (spec: LocalFunction, scope: FunctionScope, root: string): Handler => {
  forgetFunctionModules(root);
  const modulePath = path.join(root, spec.entry);
  const loaded = runInScope(scope, () => require(modulePath) as Record<string, unknown>);
  const handler = loaded[spec.handlerExport];
  if (typeof handler !== 'function') {
    throw new Error(`${spec.entry} does not export a function named ${spec.handlerExport} (${spec.name})`);
  }
  return handler as Handler;
};

/**
 * Hands out instances one invocation at a time, loading more on demand up to `max`. Loading is
 * synchronous (require) and takes tens of milliseconds, so at most one load runs per turn of the
 * event loop: a burst of invocations must not stall every timer the runtime keeps.
 */
class InstancePool {
  private readonly idle: Handler[];
  private loaded: number;
  private loading = false;
  private readonly waiting: ((instance: Handler) => void)[] = [];

  constructor(
    first: Handler,
    private readonly load: () => Handler,
    private readonly max: number,
  ) {
    this.idle = [first];
    this.loaded = 1;
  }

  async run(event: unknown, context: Context): Promise<unknown> {
    const instance = await this.acquire();
    try {
      return await instance(event, context);
    } finally {
      this.release(instance);
    }
  }

  private acquire(): Promise<Handler> {
    const idle = this.idle.pop();
    if (idle) return Promise.resolve(idle);
    const waiter = new Promise<Handler>((resolve) => this.waiting.push(resolve));
    this.grow();
    return waiter;
  }

  /** Loads one more instance on a later turn, for the longest-waiting invocation. */
  private grow(): void {
    if (this.loading || this.loaded >= this.max) return;
    this.loading = true;
    setImmediate(() => {
      this.loading = false;
      if (this.waiting.length === 0) return;
      this.loaded += 1;
      this.release(this.load());
      this.grow();
    });
  }

  private release(instance: Handler): void {
    const next = this.waiting.shift();
    if (next) next(instance);
    else this.idle.push(instance);
  }
}

/**
 * Loads the function's entry module inside its scope, so module-scope reads see its environment.
 * The first instance loads now (a broken module fails the start); more load when invocations overlap.
 */
export const loadFunction = (
  spec: LocalFunction,
  scope: FunctionScope,
  root: string,
  maxInstances: number = MAX_INSTANCES_PER_FUNCTION,
): LoadedFunction => {
  const pool = new InstancePool(
    loadInstance(spec, scope, root),
    () => loadInstance(spec, scope, root),
    maxInstances,
  );
  return { spec, scope, handler: (event, context) => pool.run(event, context) };
};
