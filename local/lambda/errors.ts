/** What Lambda reports when a function runs past its timeout. */
export class LambdaTimeout extends Error {
  constructor(requestId: string, seconds: number) {
    super(`${requestId} Task timed out after ${seconds.toFixed(2)} seconds`);
    this.name = 'Sandbox.Timedout';
  }
}

/**
 * Lambda's report when the runtime process ends during an invocation. The wording is Lambda's
 * (`RequestId: … Error: Runtime exited with error: exit status 1`, or `signal: killed`), which
 * renders the process state the way Go's os/exec does. Sources: the "Runtime.ExitError" reports in
 * aws/aws-lambda-python-runtime-interface-client#10 and swift-serverless/aws-lambda-swift-sprinter#27;
 * https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-invocation.html for Sandbox.Timedout.
 */
export class RuntimeExitError extends Error {
  /** `requestId` is undefined when the process ends during an Init that no invocation waits for. */
  constructor(requestId: string | undefined, code: number | null, signal: NodeJS.Signals | null) {
    super(`${requestId === undefined ? '' : `RequestId: ${requestId} `}Error: ${exitReason(code, signal)}`);
    this.name = 'Runtime.ExitError';
  }
}

const SIGNAL_WORDS: Partial<Record<NodeJS.Signals, string>> = {
  SIGKILL: 'killed',
  SIGTERM: 'terminated',
  SIGABRT: 'aborted',
  SIGSEGV: 'segmentation fault',
  SIGINT: 'interrupt',
};

const exitReason = (code: number | null, signal: NodeJS.Signals | null): string => {
  if (signal !== null) return `Runtime exited with error: signal: ${SIGNAL_WORDS[signal] ?? signal}`;
  if (code === 0 || code === null) return 'Runtime exited without providing a reason';
  return `Runtime exited with error: exit status ${code}`;
};

/** A Lambda service error: the Invoke API failed and the function never ran. */
export class LambdaServiceError extends Error {
  constructor(errorType: string) {
    super(
      errorType === 'Lambda.TooManyRequestsException'
        ? 'Rate Exceeded.'
        : `${errorType.replace('Lambda.', '')}: the Lambda service failed to run the function`,
    );
    this.name = errorType;
  }
}
