/**
 * Exit codes of every `orderflow` command (README, "Exit codes"). Scripts tell outcomes apart by them:
 * a usage error is the caller's to fix, an AWS error the account's or the network's, and 1 means
 * the command worked and what it looked at is not well (an order NEEDS_ATTENTION, verify violations).
 */
export const EXIT = {
  ok: 0,
  /** The command ran; the thing asked about is in a bad state or does not exist. */
  badState: 1,
  /** Wrong arguments, an unreadable or malformed input file, no target. */
  usage: 2,
  /** AWS (or the local runtime) answered with an error: access denied, expired token, no such stack… */
  aws: 3,
  /** The endpoint did not answer at all (the local runtime is not running, no network). */
  unreachable: 4,
  /** A bug: an unexpected error, printed with its stack. */
  internal: 70,
  /** Stopped by Ctrl-C. */
  interrupted: 130,
} as const;

/** The caller's to fix: says what to do in one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure whose message is already the one line to print, with the exit code to end on. */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliFailure';
  }
}

interface SystemError {
  readonly code?: string;
  readonly path?: string;
  readonly syscall?: string;
  readonly address?: string;
  readonly port?: number;
}

const FILE_PROBLEMS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory, not a file',
  EACCES: 'permission denied',
  ENOTDIR: 'a part of the path is not a directory',
};

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EAI_AGAIN',
]);

/** The system error behind an SDK error (the SDK wraps socket errors, sometimes more than once). */
const systemErrorOf = (error: unknown): (Error & SystemError) | undefined => {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    const code = (current as SystemError).code;
    if (typeof code === 'string' && (code in FILE_PROBLEMS || UNREACHABLE.has(code))) {
      return current as Error & SystemError;
    }
    const { cause, errors } = current as { cause?: unknown; errors?: unknown };
    current = cause ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
  return undefined;
};

const isAwsServiceError = (error: Error): error is Error & { $metadata: { httpStatusCode?: number } } =>
  '$metadata' in error && typeof (error as { $metadata?: unknown }).$metadata === 'object';

const CREDENTIAL_ERRORS = new Set(['CredentialsProviderError', 'ExpiredToken', 'ExpiredTokenException']);

/** Where the CLI talks to, for the "cannot reach" line: the local runtime's endpoint when set. */
const endpointHint = (env: NodeJS.ProcessEnv): string => {
  const endpoint = env.AWS_ENDPOINT_URL;
  return endpoint
    ? `cannot reach ${endpoint}: start the local runtime with \`npx orderflow local up\` (and source the env.sh it prints), or unset AWS_ENDPOINT_URL to use AWS`
    : 'cannot reach AWS: check the network, --region and --profile';
};

/**
 * The one line and exit code for an error a user can meet; undefined for a bug (printed with its
 * stack). Never a stack trace for an expected failure: a missing file, a refused connection, an
 * AWS error (AccessDenied, ExpiredToken, a missing stack) are each one line saying what to do.
 */
export const explain = (
  error: unknown,
  env: NodeJS.ProcessEnv = process.env,
): { readonly line: string; readonly exitCode: number } | undefined => {
  if (error instanceof CliFailure) return { line: error.message, exitCode: error.exitCode };
  if (error instanceof UsageError) return { line: error.message, exitCode: EXIT.usage };
  const system = systemErrorOf(error);
  if (system?.code && system.code in FILE_PROBLEMS) {
    return { line: `${system.path ?? 'file'}: ${FILE_PROBLEMS[system.code]}`, exitCode: EXIT.usage };
  }
  if (system?.code && UNREACHABLE.has(system.code)) {
    return { line: `${endpointHint(env)} (${system.code})`, exitCode: EXIT.unreachable };
  }
  if (!(error instanceof Error)) return undefined;
  if (CREDENTIAL_ERRORS.has(error.name)) {
    return {
      line: `AWS credentials: ${error.message.split('\n')[0]} (sign in again, or pass --profile)`,
      exitCode: EXIT.aws,
    };
  }
  if (isAwsServiceError(error)) {
    const status = error.$metadata.httpStatusCode;
    return {
      line: `AWS ${error.name}${status ? ` (HTTP ${status})` : ''}: ${error.message.split('\n')[0]}`,
      exitCode: EXIT.aws,
    };
  }
  return undefined;
};
