import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Chaos } from '../chaos/chaos';
import { highestReceiveCount, type Invoker } from '../lambda/invoker';
import type { LoadedFunction } from '../lambda/load';
import type { LocalEventSourceMapping, LocalQueue } from '../topology';
import { recordsToDelete, sqsRecord } from './sqs-records';

/** SQS's ceilings: a receive returns at most 10 messages and long-polls at most 20 s. */
const MAX_RECEIVE = 10;
const LONG_POLL_SECONDS = 20;
/** Lambda starts with five pollers and scales up; locally five, unless the mapping caps it lower. */
const DEFAULT_POLLERS = 5;

export interface EventSourceListener {
  readonly onBatch?: (summary: {
    readonly received: number;
    readonly deleted: number;
    readonly error?: string;
  }) => void;
  readonly onError: (message: string) => void;
}

/**
 * Lambda's SQS event source mapping: pollers long-poll the queue, collect batches up to the
 * mapping's BatchSize (within its batching window), invoke the function and delete what succeeded.
 * A function that throws or times out deletes nothing: the messages return after the visibility
 * timeout and, past maxReceiveCount, the queue's redrive policy moves them to the DLQ (fauxqs
 * does that, as SQS does). Up to ScalingConfig.MaximumConcurrency batches run at once.
 */
export class SqsEventSource {
  private readonly abort = new AbortController();
  private loops: Promise<void>[] = [];
  private receiving = 0;

  constructor(
    private readonly mapping: LocalEventSourceMapping,
    private readonly queue: LocalQueue,
    private readonly fn: LoadedFunction,
    private readonly invoker: Invoker,
    private readonly sqs: SQSClient,
    private readonly region: string,
    private readonly listener: EventSourceListener,
    /** With chaos, a batch is sometimes handed to a second invocation too: the same messages in two receives. */
    private readonly chaos?: Chaos,
  ) {}

  get pollers(): number {
    return Math.min(this.mapping.maximumConcurrency ?? DEFAULT_POLLERS, 1_000);
  }

  start(): void {
    if (!this.mapping.enabled) return;
    this.loops = Array.from({ length: this.pollers }, () => this.poll());
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.loops);
  }

  /** Batches being collected right now (messages received but not yet handed to the function). */
  get collecting(): number {
    return this.receiving;
  }

  private async poll(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        const messages = await this.collect();
        if (messages.length > 0) await this.handle(messages);
      } catch (error) {
        if (this.abort.signal.aborted) return;
        this.listener.onError(`event source ${this.queue.name} → ${this.fn.spec.name}: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }

  private async receive(max: number, waitSeconds: number): Promise<Message[]> {
    const received = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queue.url,
        MaxNumberOfMessages: Math.min(max, MAX_RECEIVE),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: this.abort.signal },
    );
    return received.Messages ?? [];
  }

  private async collect(): Promise<Message[]> {
    const first = await this.receive(this.mapping.batchSize, LONG_POLL_SECONDS);
    if (first.length === 0) return first;
    this.receiving += 1;
    try {
      const batch = [...first];
      const windowEnds = Date.now() + this.mapping.maximumBatchingWindowSeconds * 1000;
      while (batch.length < this.mapping.batchSize && Date.now() < windowEnds && !this.abort.signal.aborted) {
        const waitSeconds = Math.min(LONG_POLL_SECONDS, Math.ceil((windowEnds - Date.now()) / 1000));
        batch.push(...(await this.receive(this.mapping.batchSize - batch.length, waitSeconds)));
      }
      return batch;
    } finally {
      this.receiving -= 1;
    }
  }

  private async handle(messages: Message[]): Promise<void> {
    const records = messages.map((message) => sqsRecord(message, this.queue.arn, this.region));
    // A message whose visibility ran out mid-processing is received again by another poller.
    const twice = this.chaos?.deliverTwice(
      `${this.queue.name}: ${records.map((r) => r.attributes.MessageGroupId ?? r.messageId).join(',')}`,
      highestReceiveCount(records),
    )
      ? this.invoker.invoke(this.fn, { Records: records }).catch(() => undefined)
      : undefined;
    let result: unknown;
    try {
      result = await this.invoker.invoke(this.fn, { Records: records });
    } catch (error) {
      await twice;
      this.listener.onBatch?.({ received: records.length, deleted: 0, error: String(error) });
      return;
    }
    await twice;
    const outcome = recordsToDelete(records, result, this.mapping.reportBatchItemFailures);
    if (outcome.malformed) {
      this.listener.onError(`${this.fn.spec.name} returned a malformed batch response: ${outcome.malformed}`);
    }
    for (let start = 0; start < outcome.delete.length; start += MAX_RECEIVE) {
      const chunk = outcome.delete.slice(start, start + MAX_RECEIVE);
      const deleted = await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queue.url,
          Entries: chunk.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
        }),
      );
      for (const failure of deleted.Failed ?? []) {
        this.listener.onError(
          `could not delete a message from ${this.queue.name}: ${failure.Message ?? failure.Code}`,
        );
      }
    }
    this.listener.onBatch?.({ received: records.length, deleted: outcome.delete.length });
  }
}
