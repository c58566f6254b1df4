import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { LocalFunction, LocalTopology } from '../derive/types';
import { type LocalAwsEnvironment, sandboxEnvironment } from './environment';
import type { LoadedFunctions } from './load-all';
import { FunctionLogs } from './logs';
import { FunctionPool } from './pool';
import { LambdaSandbox, SandboxError } from './sandbox';

/** What runs a bundled function now: for the banner and for tests. */
export interface SandboxStatus {
  readonly functionName: string;
  readonly bundle: string;
  /** Process id of the running sandbox; undefined between a timeout or crash and the next invocation. */
  readonly pid: number | undefined;
  readonly nodeVersion: string | undefined;
  /** Sandbox processes started: more than 1 after timeouts, crashes or exits, or with overlapping invocations. */
  readonly starts: number;
  /** Sandboxes the function has now: one per invocation it had to run at once, up to the pool's limit. */
  readonly instances: number;
}

/**
 * Sandboxes per function: each runs one invocation at a time, as a Lambda sandbox does (a shared
 * process would let two invocations share module state, as the batch processor of process-order
 * must not). Fewer than in-process instances: each is a Node.js process.
 */
export const MAX_SANDBOXES_PER_FUNCTION = 4;

export interface StartedSandboxes extends LoadedFunctions {
  status(): readonly SandboxStatus[];
}

/** The first node_modules a `require` from `dir` would search: Node looks in every ancestor. */
const nodeModulesAbove = (dir: string): string | undefined => {
  for (let current = dir; ; current = path.dirname(current)) {
    const candidate = path.join(current, 'node_modules');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(current) === current) return undefined;
  }
};

const bundleOf = (fn: LocalFunction): string => {
  if (fn.bundle === undefined) {
    throw new SandboxError(`${fn.name} has no bundle: the app was synthesized without bundling`);
  }
  const found = nodeModulesAbove(fn.bundle);
  if (found !== undefined) {
    throw new SandboxError(
      `the bundle of ${fn.name} (${fn.bundle}) would resolve packages from ${found}, which Lambda does not have; ` +
        'set TMPDIR to a directory with no node_modules above it',
    );
  }
  return fn.bundle;
};

/**
 * Starts a Lambda sandbox per function of a topology synthesized with bundles (each its own
 * Node.js process on its bundle, local/lambda/sandbox.ts) and waits until every handler is loaded:
 * a bundle that cannot load fails here, before any event arrives, as its deploy would fail its
 * first invocation. The processes end with stop(), and with this process in any case.
 */
export const startSandboxes = async (
  topology: LocalTopology,
  aws: LocalAwsEnvironment,
  stateDir: string,
): Promise<StartedSandboxes> => {
  const bundled = topology.functions.map((fn) => ({ fn, bundle: bundleOf(fn) }));
  const logs = new FunctionLogs(path.join(stateDir, 'logs'));
  const sandboxOf = (fn: LocalFunction, bundle: string) =>
    new LambdaSandbox({
      spec: fn,
      taskRoot: bundle,
      env: sandboxEnvironment(fn, aws, bundle),
      log: logs.sink(fn.name),
    });
  const sandboxes = bundled.map(({ fn, bundle }) => sandboxOf(fn, bundle));
  const pools = bundled.map(
    ({ fn, bundle }, index) =>
      new FunctionPool(
        sandboxes[index] ?? sandboxOf(fn, bundle),
        async () => {
          const sandbox = sandboxOf(fn, bundle);
          await sandbox.start();
          return sandbox;
        },
        MAX_SANDBOXES_PER_FUNCTION,
        (error) => logs.sink(fn.name)(`another sandbox could not start: ${String(error)}\n`),
      ),
  );
  const everySandbox = () => pools.flatMap((pool) => pool.instances);
  const killAll = () => {
    for (const sandbox of everySandbox()) sandbox.killNow();
  };
  process.on('exit', killAll);
  const stop = async () => {
    await Promise.all(everySandbox().map((sandbox) => sandbox.stop()));
    process.off('exit', killAll);
    await logs.close();
  };

  const started = await Promise.allSettled(sandboxes.map((sandbox) => sandbox.start()));
  const failures = started.flatMap((result, index) => {
    const sandbox = sandboxes[index];
    if (result.status === 'fulfilled' || sandbox === undefined) return [];
    const error = result.reason instanceof Error ? result.reason : new Error(String(result.reason));
    // The first line says what failed (`Cannot find module 'x'`); the function's log has the stack.
    const [reason] = error.message.split('\n');
    return [`  ${sandbox.spec.name}: ${error.name}: ${reason}\n    bundle ${sandbox.spec.bundle}`];
  });
  if (failures.length > 0) {
    await stop();
    throw new SandboxError(
      [
        `${failures.length} bundle(s) failed to load (Lambda's Init phase); deployed, they would fail the same way:`,
        ...failures,
      ].join('\n'),
    );
  }

  return {
    functions: pools,
    logDir: logs.dir,
    stop,
    status: () =>
      pools.map((pool) => {
        const [first] = pool.instances;
        return {
          functionName: pool.spec.name,
          bundle: pool.spec.bundle ?? '',
          pid: first?.pid,
          nodeVersion: first?.nodeVersion,
          starts: pool.instances.reduce((sum, sandbox) => sum + sandbox.starts, 0),
          instances: pool.instances.length,
        };
      }),
  };
};
