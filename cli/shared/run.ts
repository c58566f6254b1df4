import { SandboxError } from '../../local/lambda/sandbox';
import { StandInError } from '../../local/stand-ins';
import { TopologyError } from '../../local/topology';
import { TargetError } from './target';

/** Errors that are the user's to fix get one clear line, not a stack trace. */
const isExplained = (error: unknown): error is Error =>
  error instanceof StandInError ||
  error instanceof TopologyError ||
  error instanceof TargetError ||
  error instanceof SandboxError;

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
