import { StandInError } from '../stand-ins';
import { TopologyError } from '../topology';
import { TargetError } from './target';

/**
 * The AWS SDK warns on every start that versions from 2027 need Node 22. It is true and not
 * actionable mid-demo (package.json says Node ≥ 20); every other warning still prints.
 */
export const quietSdkNodeWarning = (): void => {
  const listeners = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    // The SDK emits it as a plain Warning whose message starts with its name.
    if (warning.message.startsWith('NodeVersionSupportWarning')) return;
    for (const listener of listeners) listener(warning);
  });
};

/** Errors that are the user's to fix get one clear line, not a stack trace. */
const isExplained = (error: unknown): error is Error =>
  error instanceof StandInError || error instanceof TopologyError || error instanceof TargetError;

/** Runs a command, sets the exit code from it, and turns known problems into one readable line. */
export const runCommand = async (work: () => Promise<number | undefined>): Promise<void> => {
  try {
    process.exitCode = (await work()) ?? 0;
  } catch (error) {
    if (isExplained(error)) {
      process.stderr.write(`orderflow: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw error;
  }
};
