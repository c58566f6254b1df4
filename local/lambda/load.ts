import * as path from 'node:path';
import type { Context } from 'aws-lambda';
import type { LocalFunction } from '../derive/types';
import { type FunctionScope, runInScope } from './function-scope';

export type Handler = (event: unknown, context: Context) => unknown;

/** A function of the topology with its handler loaded in-process. */
export interface LoadedFunction {
  readonly spec: LocalFunction;
  readonly handler: Handler;
  readonly scope: FunctionScope;
}

/**
 * Drops cached modules of functions/ so the next function loads its own copies, as its own bundle
 * would in AWS: no module-level state is shared between functions. node_modules stay shared (one
 * AWS SDK, as `instanceof` checks on SDK errors need). Under jest's module registry require.cache
 * is not the registry, so this is a no-op there and functions share their common modules.
 */
const forgetFunctionModules = (root: string): void => {
  const functionsDir = path.join(root, 'functions') + path.sep;
  for (const key of Object.keys(require.cache)) {
    if (key.startsWith(functionsDir)) delete require.cache[key];
  }
};

/** Loads the function's entry module inside its scope, so module-scope reads see its environment. */
export const loadFunction = (spec: LocalFunction, scope: FunctionScope, root: string): LoadedFunction => {
  forgetFunctionModules(root);
  const modulePath = path.join(root, spec.entry);
  const loaded = runInScope(scope, () => require(modulePath) as Record<string, unknown>);
  const handler = loaded[spec.handlerExport];
  if (typeof handler !== 'function') {
    throw new Error(`${spec.entry} does not export a function named ${spec.handlerExport} (${spec.name})`);
  }
  return { spec, handler: handler as Handler, scope };
};
