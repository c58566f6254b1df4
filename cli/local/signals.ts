import { type LocalRuntime, type LocalRuntimeOptions, startLocalRuntime } from '../../local/runtime';

/**
 * Stops the runtime cleanly on Ctrl-C or SIGTERM (the Java child gone, the temporary directory
 * removed) and then exits with the signal's conventional code; a second signal exits at once.
 * Installed before the runtime starts: a signal during start-up aborts the start at its next phase,
 * which undoes what it started; a second signal exits at once (the temporary directory still goes,
 * on the process's exit).
 */
export const startStoppableRuntime = async (
  options: LocalRuntimeOptions,
  onSignal: (signal: NodeJS.Signals) => void,
): Promise<{
  readonly runtime: LocalRuntime;
  readonly release: () => void;
  readonly interrupted: () => boolean;
}> => {
  // A signal during start-up stops the start at its next phase (it undoes what it started) rather
  // than waiting for the whole start and then stopping it.
  const abort = new AbortController();
  const starting = startLocalRuntime({ ...options, signal: abort.signal });
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    const code = signal === 'SIGINT' ? 130 : 143;
    if (stopping) process.exit(code);
    stopping = true;
    onSignal(signal);
    abort.abort(new Error(`interrupted by ${signal}`));
    void starting
      .then((runtime) => runtime.stop())
      .catch(() => undefined)
      .finally(() => process.exit(code));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  const release = () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
  try {
    return { runtime: await starting, release, interrupted: () => stopping };
  } catch (error) {
    // Interrupted: the handler is exiting with the signal's code; nothing to report.
    if (stopping) return new Promise<never>(() => undefined);
    release();
    throw error;
  }
};
