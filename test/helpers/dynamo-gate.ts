import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Scheduler } from 'fast-check';

/**
 * Decides when a DynamoDB call may go out. `enter` resolves when the call may be sent and gives
 * back `leave`, which is called once DynamoDB answered (or the call failed).
 */
export interface CallGate {
  enter(invocation: string, call: string): Promise<() => void>;
}

interface GatedInvocation {
  readonly gate: CallGate;
  readonly name: string;
}

const current = new AsyncLocalStorage<GatedInvocation>();

/** "UpdateItemCommand payments": the operation and the table, without the test run's unique suffix. */
const describeCall = (commandName: string | undefined, input: object): string => {
  const table = 'TableName' in input && typeof input.TableName === 'string' ? input.TableName : undefined;
  const operation = commandName ?? 'call';
  return table === undefined ? operation : `${operation} ${table.replace(/-[0-9a-f]{8}$/, '')}`;
};

/**
 * Makes every call sent through `client` (and the document clients made from it, which share its
 * middleware stack) from inside `throughGate` wait at that invocation's gate, the SDK's own retries
 * included. Calls from anywhere else (arranging, asserting) go straight through.
 */
export const gateCalls = (client: DynamoDBClient): DynamoDBClient => {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const invocation = current.getStore();
      if (invocation === undefined) return next(args);
      const leave = await invocation.gate.enter(
        invocation.name,
        describeCall(context.commandName, args.input),
      );
      try {
        return await next(args);
      } finally {
        leave();
      }
    },
    { step: 'initialize', name: 'orderflowTestCallGate' },
  );
  return client;
};

/** Runs `work` as the invocation `name`: its DynamoDB calls pass `gate`. */
export const throughGate = <T>(gate: CallGate, name: string, work: () => Promise<T>): Promise<T> =>
  current.run({ gate, name }, work);

/** A failure detector, not a wait: a scenario with no call in sight for this long can never finish. */
const STUCK_MS = 10_000;

/** One turn of the event loop: every continuation that can run without I/O has run. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Interleaves invocations at the DynamoDB boundary with fast-check's scheduler. Each call waits
 * until the scheduler picks it; only one call is out at a time, and the next pick is made once it
 * answered and every invocation ran on to its next call or its end. So the scheduler chooses, at
 * every step, which live invocation's next call lands, and a seed replays the same interleaving.
 */
export class ScheduledCalls implements CallGate {
  private readonly answering = new Set<Promise<void>>();
  private readonly calls = new Map<string, number>();
  private readonly holds = new Map<string, Promise<unknown>>();
  private arrived: (() => void) | undefined;

  constructor(private readonly scheduler: Scheduler) {}

  /**
   * Holds the `call`-th DynamoDB call (from 1, retries included) of `invocation` until `until`
   * settles: a Lambda that froze half-way and goes on, or answers, late.
   */
  hold(invocation: string, call: number, until: Promise<unknown>): void {
    this.holds.set(`${invocation}@${call}`, until);
  }

  async enter(invocation: string, call: string): Promise<() => void> {
    const number = (this.calls.get(invocation) ?? 0) + 1;
    this.calls.set(invocation, number);
    await this.holds.get(`${invocation}@${number}`)?.then(
      () => undefined,
      () => undefined,
    );
    this.arrived?.();
    await this.scheduler.schedule(Promise.resolve(), `${invocation} ${call}`);
    let leave = (): void => {};
    const answered = new Promise<void>((resolve) => {
      leave = () => {
        this.answering.delete(answered);
        resolve();
      };
    });
    this.answering.add(answered);
    return leave;
  }

  /** Runs `scenario` (which starts invocations through this gate) until it and every call it made settled. */
  async run<T>(scenario: () => Promise<T>): Promise<T> {
    let done = false;
    const outcome = scenario().finally(() => {
      done = true;
    });
    const settled = outcome.then(
      () => undefined,
      () => undefined,
    );
    for (;;) {
      // Not a wait for time: it lets the invocations run on to their next call before the next pick.
      await nextTurn();
      if (this.answering.size > 0) {
        await Promise.all(this.answering);
      } else if (this.scheduler.count() > 0) {
        await this.scheduler.waitOne();
      } else if (done) {
        return outcome;
      } else {
        // Something is still on its way to its next call (or to its end): wait for either.
        let watchdog: NodeJS.Timeout | undefined;
        const stuck = new Promise<never>((_, reject) => {
          watchdog = setTimeout(
            () => reject(new Error(`no DynamoDB call came for ${STUCK_MS} ms: the scenario waits on itself`)),
            STUCK_MS,
          );
        });
        try {
          await Promise.race([settled, new Promise<void>((resolve) => (this.arrived = resolve)), stuck]);
        } finally {
          clearTimeout(watchdog);
        }
      }
    }
  }
}

/**
 * Copies of steps in lockstep: a copy's k-th DynamoDB call goes out only when every other copy still
 * running has reached its own k-th call (less its head start), so the copies read before any of them
 * writes, and write at the same moment. `headStart[name]` lets a copy run that many calls ahead.
 */
export class Lockstep implements CallGate {
  private readonly calls = new Map<string, number>();
  private readonly finished = new Set<string>();
  private waiting: { readonly ready: () => boolean; readonly go: () => void }[] = [];

  constructor(
    private readonly names: readonly string[],
    private readonly headStart: Readonly<Record<string, number>> = {},
  ) {
    for (const name of names) this.calls.set(name, 0);
  }

  async enter(invocation: string): Promise<() => void> {
    const position = (this.calls.get(invocation) ?? 0) + 1;
    this.calls.set(invocation, position);
    const behind = position - (this.headStart[invocation] ?? 0);
    const ready = (): boolean =>
      this.names.every(
        (other) =>
          other === invocation ||
          this.finished.has(other) ||
          (this.calls.get(other) ?? 0) - (this.headStart[other] ?? 0) >= behind,
      );
    this.release();
    if (!ready()) await new Promise<void>((go) => this.waiting.push({ ready, go }));
    return () => {};
  }

  /** Runs each copy through the gate under its name; a finished copy no longer holds the others back. */
  run<T>(copies: Readonly<Record<string, () => Promise<T>>>): Promise<PromiseSettledResult<T>[]> {
    return Promise.allSettled(
      this.names.map((name) => {
        const work = copies[name];
        if (work === undefined) throw new Error(`no copy named ${name}`);
        return throughGate(this, name, work).finally(() => {
          this.finished.add(name);
          this.release();
        });
      }),
    );
  }

  private release(): void {
    const go = this.waiting.filter((waiter) => waiter.ready());
    this.waiting = this.waiting.filter((waiter) => !go.includes(waiter));
    for (const waiter of go) waiter.go();
  }
}
