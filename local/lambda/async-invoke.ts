import { randomUUID } from 'node:crypto';
import type { Invoker } from './invoker';
import type { LoadedFunction } from './load';

/** An event a function could not take after its retries, and where it went. */
export interface AsyncFailure {
  readonly functionName: string;
  readonly requestId: string;
  readonly condition: 'RetriesExhausted' | 'EventAgeExceeded';
  readonly attempts: number;
  readonly errorType: string;
  readonly errorMessage: string;
  /** The on-failure destination ARN, or undefined when the event was dropped. */
  readonly destination?: string;
  readonly at: Date;
}

/** Sends a destination record to an ARN (queue, topic or function). */
export type DestinationSender = (arn: string, record: string) => Promise<void>;

/** Lambda waits about a minute before the first retry of an async event and two before the second. */
const RETRY_DELAYS_SECONDS = [60, 120];

/**
 * Lambda's asynchronous invocation (what S3 notifications and EventBridge rules use): the caller
 * gets no result; a failing event is retried `maximumRetryAttempts` times and then goes to the
 * function's on-failure destination, in Lambda's destination record format. Retry delays follow
 * `timeScale`, like the saga's.
 */
export class AsyncInvoker {
  private pendingCount = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly log: AsyncFailure[] = [];
  private stopped = false;

  constructor(
    private readonly invoker: Invoker,
    private readonly send: DestinationSender,
    private readonly timeScale: number,
    private readonly onFailure: (failure: AsyncFailure) => void = () => undefined,
  ) {}

  /** Events accepted and not yet finished (running, or waiting for a retry). */
  get pending(): number {
    return this.pendingCount;
  }

  get failures(): readonly AsyncFailure[] {
    return this.log;
  }

  invokeAsync(fn: LoadedFunction, event: unknown): void {
    this.pendingCount += 1;
    void this.attempt(fn, event, randomUUID(), Date.now(), 1).finally(() => {
      this.pendingCount -= 1;
    });
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private async attempt(
    fn: LoadedFunction,
    event: unknown,
    requestId: string,
    accepted: number,
    attempt: number,
  ): Promise<void> {
    try {
      await this.invoker.invoke(fn, event);
      return;
    } catch (error) {
      const { maximumRetryAttempts, maximumEventAgeSeconds } = fn.spec.asyncInvoke;
      const delayMs = (RETRY_DELAYS_SECONDS[attempt - 1] ?? 120) * 1000 * this.timeScale;
      const tooOld = Date.now() + delayMs - accepted > maximumEventAgeSeconds * 1000 * this.timeScale;
      if (attempt <= maximumRetryAttempts && !tooOld && !this.stopped) {
        await this.delay(delayMs);
        if (!this.stopped) return this.attempt(fn, event, requestId, accepted, attempt + 1);
      }
      await this.fail(fn, event, requestId, attempt, error, tooOld ? 'EventAgeExceeded' : 'RetriesExhausted');
    }
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private async fail(
    fn: LoadedFunction,
    event: unknown,
    requestId: string,
    attempts: number,
    error: unknown,
    condition: AsyncFailure['condition'],
  ): Promise<void> {
    const e = error instanceof Error ? error : new Error(String(error));
    const destination = fn.spec.asyncInvoke.onFailureArn;
    const failure: AsyncFailure = {
      functionName: fn.spec.name,
      requestId,
      condition,
      attempts,
      errorType: e.name,
      errorMessage: e.message,
      ...(destination ? { destination } : {}),
      at: new Date(),
    };
    if (destination) {
      const record = {
        version: '1.0',
        timestamp: failure.at.toISOString(),
        requestContext: {
          requestId,
          functionArn: `${fn.spec.arn}:$LATEST`,
          condition,
          approximateInvokeCount: attempts,
        },
        requestPayload: event,
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        responsePayload: { errorType: e.name, errorMessage: e.message, trace: (e.stack ?? '').split('\n') },
      };
      try {
        await this.send(destination, JSON.stringify(record));
      } catch (sendError) {
        fn.log(`on-failure destination ${destination} refused the event: ${String(sendError)}\n`);
      }
    }
    this.log.push(failure);
    this.onFailure(failure);
  }
}
