import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program to its end, as a user's shell would, and collects what it printed. */
export const runProgram = (
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<CliRun> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
  });

/** `orderflow <args>` in its own process, as `npm run orderflow -- <args>` runs it. */
export const orderflow = (args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliRun> =>
  runProgram(process.execPath, ['--import', 'tsx', 'bin/orderflow.ts', ...args], env);

export { freePort } from '../../local/stand-ins';

/** The `export KEY='value'` lines of the env.sh `local up` writes. */
export const readEnvFile = (file: string): Record<string, string> =>
  Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .map((line) => /^export ([A-Z0-9_]+)='(.*)'$/.exec(line))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => [match[1] ?? '', match[2] ?? '']),
  );

export interface LocalUp {
  /** The variables env.sh exports, on top of this process's environment. */
  readonly env: NodeJS.ProcessEnv;
  readonly output: () => string;
  stop(): Promise<number | null>;
}

/** `orderflow local up` in its own process; resolves once it printed that it is up. */
export const startLocalUp = async (
  args: readonly string[],
  stateDir: string,
  deadlineMs = 120_000,
): Promise<LocalUp> => {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'bin/orderflow.ts', 'local', 'up', '--state-dir', stateDir, ...args],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const chunks: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  const output = () => chunks.join('');
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`local up not up in time:\n${output()}`)), deadlineMs);
    const check = () => {
      if (output().includes('orderflow local runtime is up')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    void closed.then((code) => {
      clearTimeout(timer);
      reject(new Error(`local up exited with ${code}:\n${output()}`));
    });
  });
  return {
    env: { ...process.env, ...readEnvFile(path.join(stateDir, 'env.sh')) },
    output,
    stop: () => {
      child.kill('SIGTERM');
      return closed;
    },
  };
};

/** Polls until `done` holds for what `read` returns, or fails at the deadline with the last value. */
export const pollUntil = async <T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`gave up after ${timeoutMs} ms; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
};
