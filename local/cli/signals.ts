/**
 * Stops `work` cleanly on Ctrl-C or SIGTERM (the Java child killed, the temporary directory
 * removed) and then exits with the signal's conventional code. A second signal exits at once.
 */
export const stopOnSignals = (
  stop: () => Promise<void>,
  onSignal?: (signal: NodeJS.Signals) => void,
): (() => void) => {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(signal === 'SIGINT' ? 130 : 143);
    stopping = true;
    onSignal?.(signal);
    void stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
};
