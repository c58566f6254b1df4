import { type LocalRuntime, type LocalRuntimeOptions, startLocalRuntime } from '../../local/runtime';

/**
 * Stops the runtime cleanly on Ctrl-C or SIGTERM (the Java child gone, the temporary directory
 * removed) and then exits with the signal's conventional code; a second signal exits at once.
 * Installed before the runtime starts, so a signal during start-up waits for the start (or its
 * failure, which cleans up after itself) and then stops what was started.
 */
export const startStoppableRuntime = async (
  options: LocalRuntimeOptions,
  onSignal: (signal: NodeJS.Signals) => void,
): Promise<{
  readonly runtime: LocalRuntime;
  readonly release: () => void;
  readonly interrupted: () => boolean;
}> => {
  const starting = startLocalRuntime(options);
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    const code = signal === 'SIGINT' ? 130 : 143;
    if (stopping) process.exit(code);
    stopping = true;
    onSignal(signal);
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
    release();
    throw error;
  }
};
