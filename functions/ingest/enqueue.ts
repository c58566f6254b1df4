import {
  type MessageAttributeValue,
  SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { isTransientAwsError } from '#shared/aws/transient';
import { OrderflowError } from '#shared/errors/index';
import { ORDER_EVENT_TYPE, ORDER_SCHEMA_VERSION } from '#shared/schemas/order-placed';

/**
 * SendMessageBatch calls in flight per file unless configured (INGEST_MAX_IN_FLIGHT), chosen from the sending
 * curve of `npm run bench` (README, Performance): with 20 ms per call each call in flight carries at most 500
 * records/s, so 8 calls would take at least 250 s of the 300 s timeout for a 1,000,000-record file; 16 took 150 s in
 * the bench. More calls gain until ingest's CPU binds, but hold more records and more of the queue's send rate.
 */
export const DEFAULT_MAX_IN_FLIGHT = 16;

/** A valid order on its way to the FIFO queue. */
export interface OutgoingOrder {
  readonly line: number;
  readonly orderId: string;
  readonly canonical: string;
  readonly deduplicationId: string;
  readonly correlationId: string;
}

export interface SenderConfig {
  readonly queueUrl: string;
  /** SendMessageBatch calls in flight at once; the reader waits when all are busy. @default DEFAULT_MAX_IN_FLIGHT */
  readonly maxInFlight?: number;
  /**
   * Time the sender may still spend retrying, in ms: entries SQS did not confirm (a server fault, an
   * entry in neither list, a call that failed transiently) are sent again until it runs out, and then
   * fail the ingest (EnqueueIncomplete). The ingest function passes its invocation's remaining time
   * minus a reserve. @default no limit
   */
  readonly timeLeftMs?: () => number;
  /** First retry delay; doubles per attempt, with full jitter. @default 100 */
  readonly baseDelayMs?: number;
  /** @default 2000 */
  readonly maxDelayMs?: number;
}

/**
 * SQS did not confirm some entries before the invocation's time ran out. Not the records' fault:
 * the invocation fails so the whole file is ingested again (deduplication ids and process-order's
 * idempotency make the second pass safe), and the records are never reported as rejected.
 */
export class EnqueueIncomplete extends OrderflowError {
  constructor(pending: number, lastProblem: string) {
    super(
      `SQS did not confirm ${pending} message(s) before the time to retry ran out (last: ${lastProblem}); ` +
        'failing so the file is ingested again',
      'EnqueueIncomplete',
      false,
    );
  }
}

export interface SenderHooks {
  onEnqueued(order: OutgoingOrder): void;
  /** SQS refused the entry as the sender's fault: it becomes a rejected record with this reason. */
  onFailed(order: OutgoingOrder, reason: string): void;
  sleep?(ms: number): Promise<void>;
  random?(): number;
}

/** SendMessageBatch limits: 10 entries and 1 MiB (1,048,576 bytes) of messages per call. */
export const SQS_LIMITS = {
  entriesPerBatch: 10,
  bytesPerBatch: 1024 * 1024,
  bytesPerMessage: 256 * 1024,
} as const;

const attribute = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });

/** The attributes every message carries alike (the SDK only reads them, so one object serves all). */
const EVENT_TYPE = attribute(ORDER_EVENT_TYPE);
const SCHEMA_VERSION = attribute(String(ORDER_SCHEMA_VERSION));

const attributesOf = (order: OutgoingOrder): Record<string, MessageAttributeValue> => ({
  eventType: EVENT_TYPE,
  schemaVersion: SCHEMA_VERSION,
  correlationId: attribute(order.correlationId),
});

/** Bytes of an attribute as SQS counts them: its name, type and value. */
const attributeBytes = (name: string, value: MessageAttributeValue): number =>
  Buffer.byteLength(name) +
  Buffer.byteLength(value.DataType ?? '') +
  Buffer.byteLength(value.StringValue ?? '');

/** Bytes of the attributes that do not change from message to message, and of correlationId's name and type. */
const FIXED_ATTRIBUTE_BYTES =
  attributeBytes('eventType', EVENT_TYPE) +
  attributeBytes('schemaVersion', SCHEMA_VERSION) +
  attributeBytes('correlationId', attribute(''));

/** Size as SQS counts it: the body plus every attribute's name, type and value. */
export const messageBytes = (order: OutgoingOrder): number =>
  Buffer.byteLength(order.canonical, 'utf8') +
  FIXED_ATTRIBUTE_BYTES +
  Buffer.byteLength(order.correlationId, 'utf8');

/** Entry ids of a call, made once: an entry's place in its batch. */
const ENTRY_IDS: readonly string[] = Array.from({ length: SQS_LIMITS.entriesPerBatch }, (_, index) =>
  String(index),
);

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Batches valid orders into SendMessageBatch calls (10 entries, under 1 MiB) with a bounded
 * number of calls in flight: `add` waits while all slots are busy, which holds back the reader,
 * so memory stays flat. Messages of one group (one orderId) reach SQS in file order: a group is in
 * at most one entry per call, and a call carrying a group waits for the call in flight before it.
 *
 * Only a record's own fault rejects it: an entry SQS returns in `Failed` as a sender fault (an
 * invalid message) goes to onFailed and into the rejects report. Everything else that leaves an
 * entry unconfirmed is SQS's problem, not the record's: a server fault, an entry in neither list, a
 * call that fails transiently after the SDK's retries. Those entries are sent again, with the same
 * deduplication id and backoff, while `timeLeftMs` allows; then the ingest fails (EnqueueIncomplete)
 * and the file is ingested again. A call that fails for good (access denied, no such queue) fails
 * the ingest at once. Either way nothing is marked done and no valid order is reported as invalid.
 */
export class OrderSender {
  readonly #sqs: SQSClient;
  readonly #queueUrl: string;
  readonly #maxInFlight: number;
  readonly #timeLeftMs: () => number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #hooks: SenderHooks;
  readonly #inFlight = new Set<Promise<void>>();
  /** The call in flight that carries each message group: a later message of the group waits for it. */
  readonly #groupsInFlight = new Map<string, Promise<void>>();
  #batch: OutgoingOrder[] = [];
  #batchBytes = 0;
  #error: unknown;

  constructor(sqs: SQSClient, config: SenderConfig, hooks: SenderHooks) {
    this.#sqs = sqs;
    this.#queueUrl = config.queueUrl;
    this.#maxInFlight = config.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    this.#timeLeftMs = config.timeLeftMs ?? (() => Number.POSITIVE_INFINITY);
    this.#baseDelayMs = config.baseDelayMs ?? 100;
    this.#maxDelayMs = config.maxDelayMs ?? 2_000;
    this.#hooks = hooks;
  }

  /**
   * Queues one order. Returns a promise only when the caller must wait (a call is being dispatched);
   * undefined when the order just joined the batch, so the reader goes on without a turn of the event loop.
   */
  add(order: OutgoingOrder): Promise<void> | undefined {
    this.#throwIfFailed();
    const bytes = messageBytes(order);
    if (bytes > SQS_LIMITS.bytesPerMessage) {
      // The schema keeps records at 64 KiB, so this guards against a change of that limit.
      this.#hooks.onFailed(order, `could not enqueue: message is ${bytes} bytes, more than SQS allows`);
      return undefined;
    }
    // A group appears at most once per call, so a retried entry can never land after a later one of its group.
    let groupInBatch = false;
    for (const queued of this.#batch) if (queued.orderId === order.orderId) groupInBatch = true;
    if (groupInBatch || this.#batchBytes + bytes > SQS_LIMITS.bytesPerBatch)
      return this.#addAfterDispatch(order, bytes);
    this.#queue(order, bytes);
    return this.#batch.length === SQS_LIMITS.entriesPerBatch ? this.#dispatch() : undefined;
  }

  async #addAfterDispatch(order: OutgoingOrder, bytes: number): Promise<void> {
    await this.#dispatch();
    this.#queue(order, bytes);
    if (this.#batch.length === SQS_LIMITS.entriesPerBatch) await this.#dispatch();
  }

  #queue(order: OutgoingOrder, bytes: number): void {
    this.#batch.push(order);
    this.#batchBytes += bytes;
  }

  /** Sends what is left and waits for every call; throws the first call failure. */
  async flush(): Promise<void> {
    if (this.#error === undefined && this.#batch.length > 0) await this.#dispatch();
    await Promise.all(this.#inFlight);
    this.#throwIfFailed();
  }

  /** Waits for calls in flight without sending more: used when the ingest is failing anyway. */
  async settle(): Promise<void> {
    this.#batch = [];
    await Promise.all(this.#inFlight);
  }

  #throwIfFailed(): void {
    if (this.#error !== undefined) throw this.#error;
  }

  async #dispatch(): Promise<void> {
    const batch = this.#batch;
    this.#batch = [];
    this.#batchBytes = 0;
    if (batch.length === 0) return;
    while (this.#inFlight.size >= this.#maxInFlight) await Promise.race(this.#inFlight);
    // FIFO order per message group follows the file: a call carrying a group waits for the one before it.
    const earlier = batch.flatMap((order) => this.#groupsInFlight.get(order.orderId) ?? []);
    if (earlier.length > 0) await Promise.all(earlier);
    this.#throwIfFailed();
    const call = this.#send(batch).catch((error: unknown) => {
      this.#error ??= error;
    });
    const tracked = call.finally(() => {
      this.#inFlight.delete(tracked);
      for (const order of batch) {
        if (this.#groupsInFlight.get(order.orderId) === tracked) this.#groupsInFlight.delete(order.orderId);
      }
    });
    this.#inFlight.add(tracked);
    for (const order of batch) this.#groupsInFlight.set(order.orderId, tracked);
  }

  async #send(batch: readonly OutgoingOrder[]): Promise<void> {
    // An entry's id is its place in the batch, kept through retries.
    const pending = new Map<string, OutgoingOrder>();
    batch.forEach((order, index) => {
      pending.set(ENTRY_IDS[index] ?? String(index), order);
    });
    for (let attempt = 1; ; attempt += 1) {
      const problem = await this.#sendOnce(pending);
      if (pending.size === 0) return;
      const delay = this.#backoffDelay(attempt);
      if (this.#timeLeftMs() <= delay) throw new EnqueueIncomplete(pending.size, problem);
      await (this.#hooks.sleep ?? realSleep)(delay);
    }
  }

  /**
   * One SendMessageBatch call: reports what SQS confirmed or refused and takes it out of `pending`,
   * which keeps what SQS left unconfirmed; returns the last problem seen.
   */
  async #sendOnce(pending: Map<string, OutgoingOrder>): Promise<string> {
    const entries: SendMessageBatchRequestEntry[] = [];
    pending.forEach((order, id) => {
      entries.push({
        Id: id,
        MessageBody: order.canonical,
        MessageGroupId: order.orderId,
        MessageDeduplicationId: order.deduplicationId,
        MessageAttributes: attributesOf(order),
      });
    });
    let result: SendMessageBatchCommandOutput;
    try {
      result = await this.#sqs.send(
        new SendMessageBatchCommand({ QueueUrl: this.#queueUrl, Entries: entries }),
      );
    } catch (error) {
      if (!isTransientAwsError(error)) throw error;
      return `${(error as Error).name}: ${(error as Error).message}`;
    }
    let problem = 'SQS did not report the entry';
    for (const success of result.Successful ?? []) {
      const order = success.Id === undefined ? undefined : pending.get(success.Id);
      if (order === undefined || success.Id === undefined) continue;
      pending.delete(success.Id);
      this.#hooks.onEnqueued(order);
    }
    for (const failure of result.Failed ?? []) {
      const order = failure.Id === undefined ? undefined : pending.get(failure.Id);
      if (order === undefined || failure.Id === undefined) continue;
      const reason = `${failure.Code ?? 'UnknownError'} ${failure.Message ?? ''}`.trimEnd();
      if (failure.SenderFault) {
        pending.delete(failure.Id);
        this.#hooks.onFailed(order, `could not enqueue: ${reason}`);
      } else {
        problem = reason;
      }
    }
    // An entry in neither list was not confirmed: it stays pending rather than assumed sent.
    return problem;
  }

  #backoffDelay(attempt: number): number {
    const ceiling = Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** (attempt - 1));
    return Math.round(ceiling * (this.#hooks.random ?? Math.random)());
  }
}
