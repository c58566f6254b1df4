import * as path from 'node:path';
import type { Context } from 'aws-lambda';
import type { LocalFunction } from '../derive/types';
import { lambdaContext } from './context';
import { LambdaTimeout } from './errors';
import { type FunctionScope, runInScope } from './function-scope';
import { FunctionPool } from './pool';

export type Handler = (event: unknown, context: Context) => unknown;

/** One invocation as the invoker hands it to a function: its request id and its deadlines (epoch ms). */
export interface InvocationRequest {
  readonly requestId: string;
  /** When the caller stops waiting: the function's timeout, or a Step Functions task's earlier one. */
  readonly deadline: number;
  /** When Lambda itself ends the invocation: the function's own timeout (never before `deadline`). */
  readonly timeoutAt: number;
}

/**
 * A function of the topology, ready to be invoked: loaded in-process from its source entry, or
 * started in a sandbox process from its bundle (local/lambda/sandbox.ts).
 */
export interface LoadedFunction {
  readonly spec: LocalFunction;
  /** Appends to the function's log (its "log group"). */
  readonly log: (chunk: string) => void;
  /**
   * Runs one invocation with a Lambda context counting down to `request.deadline`. Resolves with
   * the handler's result; rejects with its error, or with Sandbox.Timedout at the deadline.
   */
  readonly run: (event: unknown, request: InvocationRequest) => Promise<unknown>;
}

/**
 * A handler run in this process inside the function's scope. Its promise cannot be cancelled
 * in-process: what it still does after a timeout is not awaited (in AWS the sandbox would be
 * frozen or recycled).
 */
export const inProcessFunction = (
  spec: LocalFunction,
  handler: Handler,
  scope: FunctionScope,
): LoadedFunction => ({
  spec,
  log: scope.log,
  run: async (event, { requestId, deadline }) => {
    const context = lambdaContext(spec, requestId, deadline);
    let timer: NodeJS.Timeout | undefined;
    try {
      const run = runInScope(scope, () => Promise.resolve().then(() => handler(event, context)));
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new LambdaTimeout(requestId, spec.timeoutSeconds)),
          deadline - Date.now(),
        );
      });
      return await Promise.race([run, timeout]);
    } finally {
      clearTimeout(timer);
    }
  },
});

/** In-process instances per function; more start when invocations overlap (see FunctionPool). */
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
 * Loads the function's entry module inside its scope, so module-scope reads see its environment.
 * The first instance loads now (a broken module fails the start); more load when invocations overlap.
 */
export const loadFunction = (
  spec: LocalFunction,
  scope: FunctionScope,
  root: string,
  maxInstances: number = MAX_INSTANCES_PER_FUNCTION,
): LoadedFunction => {
  const instance = () => inProcessFunction(spec, loadInstance(spec, scope, root), scope);
  return new FunctionPool(instance(), async () => instance(), maxInstances);
};
