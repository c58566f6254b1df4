import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/project-root';
import type { LocalTopology } from '../derive/types';
import { functionEnvironment, hiddenHostVariables, type LocalAwsEnvironment } from './environment';
import { type LoadedFunction, loadFunction } from './load';
import { FunctionLogs } from './logs';

/** The topology's functions, ready to invoke, and what to stop when the runtime stops. */
export interface LoadedFunctions {
  readonly functions: readonly LoadedFunction[];
  /** Where `<function>.log` files are written. */
  readonly logDir: string;
  /** Ends what runs the functions and closes their logs. */
  stop(): Promise<void>;
}

/** Loads every function of the topology in-process, each in its own scope, logging to `<stateDir>/logs/<name>.log`. */
export const loadAllFunctions = (
  topology: LocalTopology,
  aws: LocalAwsEnvironment,
  stateDir: string,
): LoadedFunctions => {
  const logs = new FunctionLogs(path.join(stateDir, 'logs'));
  const hidden = hiddenHostVariables(topology.functions, process.env);
  const functions = topology.functions.map((fn) =>
    loadFunction(
      fn,
      { functionName: fn.name, env: functionEnvironment(fn, aws), hidden, log: logs.sink(fn.name) },
      PROJECT_ROOT,
    ),
  );
  return { functions, logDir: logs.dir, stop: () => logs.close() };
};
