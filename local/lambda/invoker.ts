import { randomUUID } from 'node:crypto';
import { lambdaContext } from './context';
import { runInScope } from './function-scope';
import type { LoadedFunction } from './load';

/** What Lambda reports when a function runs past its timeout. */
export class LambdaTimeout extends Error {
  constructor(requestId: string, seconds: number) {
    super(`${requestId} Task timed out after ${seconds.toFixed(2)} seconds`);
    this.name = 'Sandbox.Timedout';
  }
}

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
 * Invokes in-process handlers the way Lambda does: inside the function's own scope, with a Lambda
 * context whose remaining time counts down from the function's timeout, failing with
 * Sandbox.Timedout when it runs out. The handler's promise cannot be cancelled in-process; what it
 * still does after a timeout is not awaited (in AWS the sandbox would be frozen or recycled).
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
    const timeoutMs = fn.spec.timeoutSeconds * 1000;
    const deadline = Math.min(Date.now() + timeoutMs, options.deadline ?? Number.POSITIVE_INFINITY);
    const context = lambdaContext(fn.spec, requestId, deadline);
    const stats = this.counts.get(fn.spec.name);
    if (stats) stats.invocations += 1;
    this.running += 1;
    let timer: NodeJS.Timeout | undefined;
    try {
      const run = runInScope(fn.scope, () => Promise.resolve().then(() => fn.handler(event, context)));
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new LambdaTimeout(requestId, fn.spec.timeoutSeconds)),
          deadline - Date.now(),
        );
      });
      return await Promise.race([run, timeout]);
    } catch (error) {
      if (stats) stats.errors += 1;
      fn.scope.log(errorLine(requestId, error));
      throw error;
    } finally {
      clearTimeout(timer);
      this.running -= 1;
    }
  }
}
