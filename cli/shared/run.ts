import { EXIT, explain } from './errors';

/**
 * The local runtime's own start-up problems (a port taken, Java missing): the user's to fix. Told by
 * name (local/stand-ins.ts, local/cfn/intrinsics.ts, local/lambda/sandbox.ts set them), so that a
 * command that never starts the runtime does not load it.
 */
const RUNTIME_PROBLEMS = new Set(['StandInError', 'TopologyError', 'SandboxError']);
const isRuntimeProblem = (error: unknown): error is Error =>
  error instanceof Error && RUNTIME_PROBLEMS.has(error.name);

let pipeGuarded = false;

/**
 * `orderflow status … | head`: the reader went away. That is the reader's choice, not a failure:
 * stop quietly with what was written, instead of an unhandled EPIPE.
 */
export const guardPipes = (): void => {
  if (pipeGuarded) return;
  pipeGuarded = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok);
      throw error;
    });
  }
};

/**
 * Runs a command and sets the exit code from it. Expected failures become one line on stderr with
 * their documented exit code (cli/shared/errors.ts); only a bug prints a stack.
 */
export const runCommand = async (work: () => Promise<number | undefined>): Promise<void> => {
  guardPipes();
  try {
    process.exitCode = (await work()) ?? EXIT.ok;
  } catch (error) {
    if (isRuntimeProblem(error)) {
      process.stderr.write(`orderflow: ${error.message}\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    const explained = explain(error);
    if (explained) {
      process.stderr.write(`orderflow: ${explained.line}\n`);
      process.exitCode = explained.exitCode;
      return;
    }
    process.stderr.write(
      `orderflow: unexpected error (a bug; please report it with this output)\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = EXIT.internal;
  }
};
