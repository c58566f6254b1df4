import { randomUUID } from 'node:crypto';
import type { LoadedFunction } from './load';

export interface InvocationStats {
  invocations: number;
  errors: number;
}

export interface InvokeOptions {
  /** An earlier deadline imposed by the caller (a Step Functions task timeout), epoch ms. */
  readonly deadline?: number;
}

const errorLine = (requestId: string, error: unknown): string => {
  const e = error instanceof Error ? error : new Error(String(error));
  const payload = {
    errorType: e.name,
    errorMessage: e.message,
    stackTrace: (e.stack ?? '').split('\n').slice(1),
  };
  return `${new Date().toISOString()}\t${requestId}\tERROR\tInvoke Error \t${JSON.stringify(payload)}\n`;
};

/**
 * Invokes functions the way Lambda does: a request id per invocation, a deadline from the
 * function's timeout (or the caller's earlier one), which the function's Lambda context counts
 * down to and which fails the invocation with Sandbox.Timedout; counts invocations and errors and
 * logs each failure to the function's log, as Lambda's runtime does. How the handler runs (in
 * this process, or in a sandbox process) is the LoadedFunction's business.
 */
export class Invoker {
  private readonly byKey = new Map<string, LoadedFunction>();
  private readonly counts = new Map<string, InvocationStats>();
  private running = 0;

  constructor(functions: readonly LoadedFunction[]) {
    for (const fn of functions) {
      this.byKey.set(fn.spec.arn, fn);
      this.byKey.set(fn.spec.name, fn);
      this.counts.set(fn.spec.name, { invocations: 0, errors: 0 });
    }
  }

  /** By name or ARN (a qualified ARN `...:function:name:$LATEST` included). */
  find(nameOrArn: string): LoadedFunction | undefined {
    const unqualified = nameOrArn.startsWith('arn:') ? nameOrArn.split(':').slice(0, 7).join(':') : nameOrArn;
    return this.byKey.get(unqualified);
  }

  get functions(): LoadedFunction[] {
    return [...new Set(this.byKey.values())];
  }

  /** Invocations running now. */
  get inFlight(): number {
    return this.running;
  }

  stats(): ReadonlyMap<string, InvocationStats> {
    return this.counts;
  }

  async invoke(fn: LoadedFunction, event: unknown, options: InvokeOptions = {}): Promise<unknown> {
    const requestId = randomUUID();
    const timeoutAt = Date.now() + fn.spec.timeoutSeconds * 1000;
    const deadline = Math.min(timeoutAt, options.deadline ?? Number.POSITIVE_INFINITY);
    const stats = this.counts.get(fn.spec.name);
    if (stats) stats.invocations += 1;
    this.running += 1;
    try {
      return await fn.run(event, { requestId, deadline, timeoutAt });
    } catch (error) {
      if (stats) stats.errors += 1;
      fn.log(errorLine(requestId, error));
      throw error;
    } finally {
      this.running -= 1;
    }
  }
}
