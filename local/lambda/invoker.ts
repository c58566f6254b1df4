import { randomUUID } from 'node:crypto';
import type { Chaos, Invocation, LambdaFault } from '../chaos/chaos';
import { LambdaServiceError, LambdaTimeout, RuntimeExitError } from './errors';
import type { LoadedFunction } from './load';

export interface InvocationStats {
  invocations: number;
  errors: number;
  /** Wall time of every invocation, summed (ms): what Lambda bills as duration (bench/cost.ts). */
  durationMs: number;
  /** The same, each invocation rounded up to the millisecond as Lambda bills it. */
  billedMs: number;
}

export interface InvokeOptions {
  /** An earlier deadline imposed by the caller (a Step Functions task timeout), epoch ms. */
  readonly deadline?: number;
}

/** How long after the caller's deadline a late answer arrives. */
const LATE_BY_MS = 50;

const errorLine = (requestId: string, error: unknown): string => {
  const e = error instanceof Error ? error : new Error(String(error));
  const payload = {
    errorType: e.name,
    errorMessage: e.message,
    stackTrace: (e.stack ?? '').split('\n').slice(1),
  };
  return `${new Date().toISOString()}\t${requestId}\tERROR\tInvoke Error \t${JSON.stringify(payload)}\n`;
};

interface RecordsEvent {
  readonly Records?: readonly {
    readonly eventSource?: string;
    readonly attributes?: { readonly MessageGroupId?: string; readonly ApproximateReceiveCount?: string };
    readonly messageId?: string;
    readonly s3?: {
      readonly bucket?: { readonly name?: string };
      readonly object?: { readonly key?: string };
    };
  }[];
}

const orderIdIn = (value: unknown): string | undefined => {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as { orderId?: unknown; order?: unknown; state?: unknown; input?: unknown };
  if (typeof record.orderId === 'string') return record.orderId;
  return orderIdIn(record.order) ?? orderIdIn(record.state) ?? orderIdIn(record.input);
};

type SqsRecords = NonNullable<RecordsEvent['Records']>;

/** The highest receive count in an SQS batch: SQS moves a message to the DLQ after maxReceiveCount. */
export const highestReceiveCount = (records: SqsRecords): number =>
  Math.max(...records.map((r) => Number(r.attributes?.ApproximateReceiveCount ?? 1)));

/** The kind of work an event is and the piece of work it belongs to across retries (for chaos). */
export const invocationOf = (functionName: string, event: unknown): Invocation => {
  const records = (event as RecordsEvent | null)?.Records;
  const first = records?.[0];
  if (records !== undefined && first?.eventSource === 'aws:sqs') {
    const groups = [...new Set(records.map((r) => r.attributes?.MessageGroupId ?? r.messageId ?? ''))].sort();
    return {
      functionName,
      trigger: 'sqs-batch',
      workKey: groups.join(','),
      records: records.length,
      receiveCount: highestReceiveCount(records),
    };
  }
  if (first?.eventSource === 'aws:s3') {
    return { functionName, trigger: 'async', workKey: `${first.s3?.bucket?.name}/${first.s3?.object?.key}` };
  }
  const detail = (event as { detail?: { executionArn?: unknown } } | null)?.detail;
  if (detail !== undefined) return { functionName, trigger: 'async', workKey: String(detail.executionArn) };
  return { functionName, trigger: 'saga-task', workKey: orderIdIn(event) ?? 'unknown' };
};

/**
 * Invokes functions the way Lambda does: a request id per invocation, a deadline from the
 * function's timeout (or the caller's earlier one), which the function's Lambda context counts
 * down to and which fails the invocation with Sandbox.Timedout; counts invocations and errors and
 * logs each failure to the function's log, as Lambda's runtime does. How the handler runs (in
 * this process, or in a sandbox process) is the LoadedFunction's business.
 *
 * With chaos, some invocations fail as Lambda fails them, with Lambda's error names: a service
 * error before the function runs (Lambda.ServiceException, Lambda.TooManyRequestsException, …), a
 * crash before, after or in the middle of its work (Runtime.ExitError), a timeout while the handler
 * runs on (Sandbox.Timedout), or an answer that comes after the caller's deadline.
 */
export class Invoker {
  private readonly byKey = new Map<string, LoadedFunction>();
  private readonly counts = new Map<string, InvocationStats>();
  private running = 0;

  constructor(
    functions: readonly LoadedFunction[],
    private readonly chaos?: Chaos,
  ) {
    for (const fn of functions) {
      this.byKey.set(fn.spec.arn, fn);
      this.byKey.set(fn.spec.name, fn);
      this.counts.set(fn.spec.name, { invocations: 0, errors: 0, durationMs: 0, billedMs: 0 });
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
    if (this.chaos === undefined) return this.run(fn, event, options);
    const invocation = invocationOf(fn.spec.name, event);
    const fault = this.chaos.lambdaFault(invocation);
    try {
      const result = await (fault === undefined
        ? this.run(fn, event, options)
        : this.runFaulty(fn, event, options, fault));
      // A late answer failed for the caller, who gave up at its deadline: it counts towards the streak.
      this.chaos.invocationEnded(invocation, fault?.kind === 'late-answer');
      return result;
    } catch (error) {
      this.chaos.invocationEnded(invocation, true);
      throw error;
    }
  }

  private async run(fn: LoadedFunction, event: unknown, options: InvokeOptions): Promise<unknown> {
    const requestId = randomUUID();
    const timeoutAt = Date.now() + fn.spec.timeoutSeconds * 1000;
    const deadline = Math.min(timeoutAt, options.deadline ?? Number.POSITIVE_INFINITY);
    const stats = this.counts.get(fn.spec.name);
    if (stats) stats.invocations += 1;
    this.running += 1;
    const started = performance.now();
    try {
      return await fn.run(event, { requestId, deadline, timeoutAt });
    } catch (error) {
      if (stats) stats.errors += 1;
      fn.log(errorLine(requestId, error));
      throw error;
    } finally {
      this.running -= 1;
      if (stats) {
        const ms = performance.now() - started;
        stats.durationMs += ms;
        stats.billedMs += Math.max(1, Math.ceil(ms));
      }
    }
  }

  private async runFaulty(
    fn: LoadedFunction,
    event: unknown,
    options: InvokeOptions,
    fault: LambdaFault,
  ): Promise<unknown> {
    const requestId = randomUUID();
    const exited = (): Error => this.logged(fn, requestId, new RuntimeExitError(requestId, 1, null));
    switch (fault.kind) {
      case 'service-error':
        throw new LambdaServiceError(fault.errorType);
      case 'crash':
        throw exited();
      case 'crash-after-work':
        await this.run(fn, event, options).catch(() => undefined);
        throw exited();
      case 'crash-mid-batch': {
        const records = (event as { Records?: unknown[] }).Records ?? [];
        await this.run(fn, { ...(event as object), Records: records.slice(0, fault.records) }, options).catch(
          () => undefined,
        );
        throw exited();
      }
      case 'timeout':
        // The handler goes on unheard, as a step still running when its retry starts would.
        void this.run(fn, event, options).catch(() => undefined);
        throw this.logged(fn, requestId, new LambdaTimeout(requestId, fn.spec.timeoutSeconds));
      case 'late-answer': {
        const result = await this.run(fn, event, options);
        const wait = (options.deadline ?? Date.now()) + LATE_BY_MS - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        return result;
      }
    }
  }

  private logged(fn: LoadedFunction, requestId: string, error: Error): Error {
    fn.log(errorLine(requestId, error));
    return error;
  }
}
