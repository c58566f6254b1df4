import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/constructs/orderflow-function';
import type { LocalTopology } from '../derive/types';
import { functionEnvironment, hiddenHostVariables, type LocalAwsEnvironment } from './environment';
import { type LoadedFunction, loadFunction } from './load';
import { FunctionLogs } from './logs';

/** Loads every function of the topology in its own scope, logging to `<stateDir>/logs/<name>.log`. */
export const loadAllFunctions = (
  topology: LocalTopology,
  aws: LocalAwsEnvironment,
  stateDir: string,
): { readonly functions: LoadedFunction[]; readonly logs: FunctionLogs } => {
  const logs = new FunctionLogs(path.join(stateDir, 'logs'));
  const hidden = hiddenHostVariables(topology.functions, process.env);
  const functions = topology.functions.map((fn) =>
    loadFunction(
      fn,
      { functionName: fn.name, env: functionEnvironment(fn, aws), hidden, log: logs.sink(fn.name) },
      PROJECT_ROOT,
    ),
  );
  return { functions, logs };
};
