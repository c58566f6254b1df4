import type { ApiCall, Fault, FaultInjector } from './faults';
import { Random } from './random';

/**
 * Every fault the runtime can inject, by where it happens. The names are what the chaos summary and
 * the fault log print.
 */
export const FAULT_KINDS = [
  'aws.throttle',
  'aws.server-error',
  'aws.connection-reset',
  'aws.response-lost',
  'aws.fails-all-sdk-attempts',
  'sqs.batch-entries-failed',
  'lambda.service-error',
  'lambda.throttled',
  'lambda.crash',
  'lambda.crash-after-work',
  'lambda.crash-mid-batch',
  'lambda.timeout',
  'lambda.late-answer',
  's3.notification-twice',
  's3.notification-again-later',
  'sqs.delivered-twice',
] as const;

export type FaultKindName = (typeof FAULT_KINDS)[number];

/** What the Lambda stand-in does to one invocation. */
export type LambdaFault =
  /** Lambda.ServiceException or Lambda.TooManyRequestsException: the function never runs. */
  | { readonly kind: 'service-error'; readonly errorType: string }
  /** Runtime.ExitError before the handler runs. */
  | { readonly kind: 'crash' }
  /** The handler runs to its end; its answer is lost and the invocation fails with Runtime.ExitError. */
  | { readonly kind: 'crash-after-work' }
  /** Only the first `records` records of an SQS batch are handled, then the process exits. */
  | { readonly kind: 'crash-mid-batch'; readonly records: number }
  /** Sandbox.Timedout at once, while the handler goes on running unheard. */
  | { readonly kind: 'timeout' }
  /** The handler runs and answers, but only after the caller's deadline (a saga task times out). */
  | { readonly kind: 'late-answer' };

/** What kind of work an invocation is, which decides the faults it can get and the retries it has. */
export type Trigger = 'saga-task' | 'sqs-batch' | 'async';

export interface Invocation {
  readonly functionName: string;
  readonly trigger: Trigger;
  /** The piece of work, across retries: an order for a saga task, the message groups of a batch, an object. */
  readonly workKey: string;
  /** Records in an SQS batch. */
  readonly records?: number;
  /** The highest receive count in an SQS batch: SQS moves a message to the DLQ after maxReceiveCount. */
  readonly receiveCount?: number;
}

export interface ChaosOptions {
  /** Probability of a fault at each opportunity (an AWS API call, an invocation, a delivery). */
  readonly rate: number;
  readonly seed: number;
  /** Where every injected fault is reported, one line each. @default nowhere */
  readonly log?: (line: string) => void;
}

/**
 * Consecutive failed invocations of one piece of work, injected or not, after which the stand-in
 * injects no more: faults stay transient, within the retries the platform gives that work, so the
 * run checks recovery, not outages. A saga task has 5 infrastructure retries (those past the cap are left
 * for an AWS fault the step itself surfaces); a message 5 receives; an async event 3 attempts.
 */
const FAILURE_STREAK_CAP: Record<Trigger, number> = { 'saga-task': 2, 'sqs-batch': 2, async: 1 };

/**
 * A message received this often gets no more injected faults: with maxReceiveCount 5, the receives
 * left are for a natural redelivery (a visibility timeout running out under load) and the success.
 */
const MAX_RECEIVES_FOR_FAULTS = 2;

/** The SDK makes 3 attempts by default: a fault of 1 or 2 attempts is absorbed by its retries. */
const SDK_ATTEMPTS = 3;

/** An SDK call whose every attempt fails: the code above the SDK must recover (once per order at most). */
const SURFACED_SHARE = 0.2;

/**
 * The chaos plan of one run: seeded decisions for the gateway (AWS API faults), the Lambda stand-in
 * (crashes, timeouts, late answers, service errors), S3 (notifications twice, at once or later) and
 * the SQS event source (a message in two receives). Decisions come from one seeded generator per
 * kind, so a run with the same seed injects the same sequence of faults; with calls running
 * concurrently, which call the n-th decision falls on can differ between runs.
 */
export class Chaos {
  readonly rate: number;
  readonly seed: number;
  #enabled = true;
  readonly #counts = new Map<FaultKindName, number>();
  readonly #log: (line: string) => void;
  readonly #gatewayRandom: Random;
  readonly #lambdaRandom: Random;
  readonly #deliveryRandom: Random;
  /** SDK invocation id → the fault and how many attempts it still fails. */
  readonly #sdkFaults = new Map<string, { fault: Fault; kind: FaultKindName; remaining: number }>();
  readonly #surfacedFor = new Set<string>();
  readonly #streaks = new Map<string, number>();
  #sdkRetries = 0;

  constructor(options: ChaosOptions) {
    if (!(options.rate >= 0 && options.rate <= 1))
      throw new Error(`chaos rate must be in [0, 1], got ${options.rate}`);
    this.rate = options.rate;
    this.seed = options.seed;
    this.#log = options.log ?? (() => undefined);
    const root = new Random(options.seed);
    this.#gatewayRandom = root.fork('gateway');
    this.#lambdaRandom = root.fork('lambda');
    this.#deliveryRandom = root.fork('delivery');
  }

  /** Stops injecting (before the checker reads the results) or starts again. */
  set enabled(on: boolean) {
    this.#enabled = on;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /** Faults injected so far, by kind. */
  counts(): Record<FaultKindName, number> {
    return Object.fromEntries(FAULT_KINDS.map((kind) => [kind, this.#counts.get(kind) ?? 0])) as Record<
      FaultKindName,
      number
    >;
  }

  #record(kind: FaultKindName, detail: string): void {
    this.#counts.set(kind, (this.#counts.get(kind) ?? 0) + 1);
    this.#log(`chaos ${kind}: ${detail}`);
  }

  /** The gateway's injector: AWS API faults per SDK call, transient within the SDK's retries. */
  readonly gateway: FaultInjector = {
    decide: (call) => this.#decideApiCall(call),
  };

  /** SDK retry attempts the gateway saw while faults were on: how often the SDK's own retries stepped in. */
  get sdkRetries(): number {
    return this.#sdkRetries;
  }

  #decideApiCall(call: ApiCall): Fault | undefined {
    if (!this.#enabled) return undefined;
    if (call.attempt > 1) this.#sdkRetries += 1;
    const id = call.invocationId;
    const ongoing = id === undefined ? undefined : this.#sdkFaults.get(id);
    if (ongoing !== undefined && call.attempt > 1) {
      if (ongoing.remaining <= 0) return undefined;
      ongoing.remaining -= 1;
      this.#record(ongoing.kind, `${call.service} ${call.operation} attempt ${call.attempt} (${id})`);
      return ongoing.fault;
    }
    const random = this.#gatewayRandom;
    if (!random.chance(this.rate)) return undefined;
    if (call.service === 'sqs' && call.operation === 'SendMessageBatch' && random.chance(0.5)) {
      // SQS takes the call but not every entry: the ingest's own retry must send them again.
      this.#record('sqs.batch-entries-failed', `SendMessageBatch (${id ?? 'no id'})`);
      return {
        kind: 'entries-failed',
        entryIds: (ids) => ids.filter(() => random.chance(0.5)),
      };
    }
    const orderKey = call.orderKey();
    const surfaced =
      orderKey !== undefined && !this.#surfacedFor.has(orderKey) && random.chance(SURFACED_SHARE);
    // A lost ReceiveMessage answer would burn one of a message's receives unseen: SQS's own budget, not ours.
    const canLoseAnswer = !(call.service === 'sqs' && call.operation === 'ReceiveMessage');
    const [fault, kind] = random.weighted<readonly [Fault, FaultKindName]>([
      [[{ kind: 'throttle' }, 'aws.throttle'], 3],
      [[{ kind: 'server-error', status: random.chance(0.5) ? 500 : 503 }, 'aws.server-error'], 3],
      [[{ kind: 'connection-reset' }, 'aws.connection-reset'], 2],
      [[{ kind: 'response-lost' }, 'aws.response-lost'], canLoseAnswer ? 2 : 0],
    ]);
    const attempts = surfaced
      ? SDK_ATTEMPTS
      : random.weighted([
          [1, 7],
          [2, 3],
        ] as const);
    if (surfaced && orderKey !== undefined) {
      this.#surfacedFor.add(orderKey);
      this.#record('aws.fails-all-sdk-attempts', `${call.service} ${call.operation} for ${orderKey}`);
    }
    if (id !== undefined) this.#sdkFaults.set(id, { fault, kind, remaining: attempts - 1 });
    this.#record(kind, `${call.service} ${call.operation} attempt ${call.attempt} (${id ?? 'no id'})`);
    return fault;
  }

  /** The Lambda stand-in's decision for one invocation, within the work's failure streak cap. */
  lambdaFault(invocation: Invocation): LambdaFault | undefined {
    if (!this.#enabled) return undefined;
    const streakKey = `${invocation.functionName}|${invocation.workKey}`;
    if ((this.#streaks.get(streakKey) ?? 0) >= FAILURE_STREAK_CAP[invocation.trigger]) return undefined;
    if ((invocation.receiveCount ?? 0) > MAX_RECEIVES_FOR_FAULTS) return undefined;
    const random = this.#lambdaRandom;
    if (!random.chance(this.rate)) return undefined;
    const choices: (readonly [LambdaFault, number])[] = [
      [{ kind: 'crash' }, 2],
      [{ kind: 'crash-after-work' }, 2],
      [{ kind: 'timeout' }, 2],
    ];
    if (invocation.trigger === 'saga-task') {
      choices.push(
        [{ kind: 'service-error', errorType: random.pick(SERVICE_ERRORS) }, 2],
        [{ kind: 'late-answer' }, 2],
      );
    }
    if (invocation.trigger === 'sqs-batch' && (invocation.records ?? 0) > 1) {
      choices.push([{ kind: 'crash-mid-batch', records: random.int(1, (invocation.records ?? 2) - 1) }, 3]);
    }
    const fault = random.weighted(choices);
    const kind: FaultKindName =
      fault.kind === 'service-error' && fault.errorType === 'Lambda.TooManyRequestsException'
        ? 'lambda.throttled'
        : (`lambda.${fault.kind}` as FaultKindName);
    this.#record(kind, `${invocation.functionName} (${invocation.workKey})`);
    return fault;
  }

  /** Counts the outcome of an invocation of a piece of work: failures in a row are capped. */
  invocationEnded(invocation: Invocation, failed: boolean): void {
    const streakKey = `${invocation.functionName}|${invocation.workKey}`;
    if (failed) this.#streaks.set(streakKey, (this.#streaks.get(streakKey) ?? 0) + 1);
    else this.#streaks.delete(streakKey);
  }

  /** How S3 delivers one notification: once, twice at once, or once more after `laterMs`. */
  notificationDelivery(detail: string): 'once' | 'twice' | 'again-later' {
    if (!this.#enabled || !this.#deliveryRandom.chance(this.rate)) return 'once';
    const twice = this.#deliveryRandom.chance(0.5);
    this.#record(twice ? 's3.notification-twice' : 's3.notification-again-later', detail);
    return twice ? 'twice' : 'again-later';
  }

  /**
   * Whether the event source hands this batch to a second invocation too (the same messages in two
   * receives). Not to a batch whose messages were received often already, as for the Lambda faults:
   * the duplicate can take a message's idempotency lock while the invocation whose answer counts fails.
   */
  deliverTwice(detail: string, receiveCount: number): boolean {
    if (!this.#enabled || receiveCount > MAX_RECEIVES_FOR_FAULTS) return false;
    if (!this.#deliveryRandom.chance(this.rate)) return false;
    this.#record('sqs.delivered-twice', detail);
    return true;
  }
}

/** Lambda service errors AWS recommends retrying, and throttling. */
const SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.TooManyRequestsException',
] as const;
