import {
  type MessageAttributeValue,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { ORDER_EVENT_TYPE, ORDER_SCHEMA_VERSION } from '#shared/schemas/order-placed';

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
  /** SendMessageBatch calls in flight at once; the reader waits when all are busy. @default 4 */
  readonly maxInFlight?: number;
  /** Attempts per entry that SQS returns in `Failed` with a server fault. @default 5 */
  readonly maxAttempts?: number;
  /** First retry delay; doubles per attempt, with full jitter. @default 100 */
  readonly baseDelayMs?: number;
  /** @default 2000 */
  readonly maxDelayMs?: number;
}

export interface SenderHooks {
  onEnqueued(order: OutgoingOrder): void;
  /** The entry will not be sent: it becomes a rejected record with this reason. */
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

const attributesOf = (order: OutgoingOrder): Record<string, MessageAttributeValue> => ({
  eventType: attribute(ORDER_EVENT_TYPE),
  schemaVersion: attribute(String(ORDER_SCHEMA_VERSION)),
  correlationId: attribute(order.correlationId),
});

/** Size as SQS counts it: the body plus every attribute's name, type and value. */
export const messageBytes = (order: OutgoingOrder): number => {
  let bytes = Buffer.byteLength(order.canonical, 'utf8');
  for (const [name, value] of Object.entries(attributesOf(order))) {
    bytes +=
      Buffer.byteLength(name) +
      Buffer.byteLength(value.DataType ?? '') +
      Buffer.byteLength(value.StringValue ?? '');
  }
  return bytes;
};

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Batches valid orders into SendMessageBatch calls (10 entries, under 1 MiB) with a bounded
 * number of calls in flight: `add` waits while all slots are busy, which holds back the reader,
 * so memory stays flat. Entries returned in `Failed` (the call itself succeeds) are retried with
 * the same deduplication id; a sender fault (invalid message) is final at once, a server fault
 * after maxAttempts. Either way the order is handed to onFailed and reported, never dropped.
 * A call that throws (SQS unreachable after the SDK's own retries) fails the whole ingest,
 * so the invocation is retried and nothing is marked done.
 */
export class OrderSender {
  readonly #sqs: SQSClient;
  readonly #queueUrl: string;
  readonly #maxInFlight: number;
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #hooks: SenderHooks;
  readonly #inFlight = new Set<Promise<void>>();
  #batch: OutgoingOrder[] = [];
  #batchBytes = 0;
  #error: unknown;

  constructor(sqs: SQSClient, config: SenderConfig, hooks: SenderHooks) {
    this.#sqs = sqs;
    this.#queueUrl = config.queueUrl;
    this.#maxInFlight = config.maxInFlight ?? 4;
    this.#maxAttempts = config.maxAttempts ?? 5;
    this.#baseDelayMs = config.baseDelayMs ?? 100;
    this.#maxDelayMs = config.maxDelayMs ?? 2_000;
    this.#hooks = hooks;
  }

  async add(order: OutgoingOrder): Promise<void> {
    this.#throwIfFailed();
    const bytes = messageBytes(order);
    if (bytes > SQS_LIMITS.bytesPerMessage) {
      // The schema keeps records at 64 KiB, so this guards against a change of that limit.
      this.#hooks.onFailed(order, `could not enqueue: message is ${bytes} bytes, more than SQS allows`);
      return;
    }
    if (this.#batchBytes + bytes > SQS_LIMITS.bytesPerBatch) await this.#dispatch();
    this.#batch.push(order);
    this.#batchBytes += bytes;
    if (this.#batch.length === SQS_LIMITS.entriesPerBatch) await this.#dispatch();
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
    this.#throwIfFailed();
    const call = this.#send(batch).catch((error: unknown) => {
      this.#error ??= error;
    });
    const tracked = call.finally(() => this.#inFlight.delete(tracked));
    this.#inFlight.add(tracked);
  }

  async #send(batch: readonly OutgoingOrder[]): Promise<void> {
    let pending = new Map(batch.map((order, index) => [String(index), order]));
    for (let attempt = 1; pending.size > 0; attempt += 1) {
      const entries: SendMessageBatchRequestEntry[] = [...pending].map(([id, order]) => ({
        Id: id,
        MessageBody: order.canonical,
        MessageGroupId: order.orderId,
        MessageDeduplicationId: order.deduplicationId,
        MessageAttributes: attributesOf(order),
      }));
      const result = await this.#sqs.send(
        new SendMessageBatchCommand({ QueueUrl: this.#queueUrl, Entries: entries }),
      );
      const retry = new Map<string, OutgoingOrder>();
      for (const success of result.Successful ?? []) {
        const order = success.Id === undefined ? undefined : pending.get(success.Id);
        if (order === undefined) continue;
        pending.delete(success.Id as string);
        this.#hooks.onEnqueued(order);
      }
      for (const failure of result.Failed ?? []) {
        const order = failure.Id === undefined ? undefined : pending.get(failure.Id);
        if (order === undefined) continue;
        pending.delete(failure.Id as string);
        const reason =
          `could not enqueue: ${failure.Code ?? 'UnknownError'} ${failure.Message ?? ''}`.trimEnd();
        if (failure.SenderFault || attempt >= this.#maxAttempts) this.#hooks.onFailed(order, reason);
        else retry.set(failure.Id as string, order);
      }
      // An entry in neither list was not confirmed: send it again rather than assume success.
      for (const [id, order] of pending) {
        if (attempt >= this.#maxAttempts)
          this.#hooks.onFailed(order, 'could not enqueue: SQS did not report the entry');
        else retry.set(id, order);
      }
      pending = retry;
      if (pending.size > 0) await this.#backoff(attempt);
    }
  }

  #backoff(attempt: number): Promise<void> {
    const ceiling = Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** (attempt - 1));
    const delay = Math.round(ceiling * (this.#hooks.random ?? Math.random)());
    return (this.#hooks.sleep ?? realSleep)(delay);
  }
}
