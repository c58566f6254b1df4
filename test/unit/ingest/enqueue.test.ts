import {
  SendMessageBatchCommand,
  type SendMessageBatchCommandInput,
  type SendMessageBatchCommandOutput,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import {
  EnqueueIncomplete,
  messageBytes,
  OrderSender,
  type OutgoingOrder,
  SQS_LIMITS,
} from '../../../functions/ingest/enqueue';

const sqsMock = mockClient(SQSClient);
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/orders.fifo';

const order = (n: number, bodyBytes = 40): OutgoingOrder => ({
  line: n,
  orderId: `ord-${n}`,
  canonical: JSON.stringify({ orderId: `ord-${n}`, pad: 'x'.repeat(Math.max(0, bodyBytes - 30)) }),
  deduplicationId: `hash-${n}`,
  correlationId: `bucket/incoming/a.jsonl#${n}`,
});

const allSucceed = (input: SendMessageBatchCommandInput): SendMessageBatchCommandOutput => ({
  Successful: (input.Entries ?? []).map((entry) => ({
    Id: entry.Id,
    MessageId: `m-${entry.Id}`,
    MD5OfMessageBody: 'x',
  })),
  Failed: [],
  $metadata: {},
});

const collector = () => {
  const enqueued: OutgoingOrder[] = [];
  const failed: { order: OutgoingOrder; reason: string }[] = [];
  const delays: number[] = [];
  return {
    enqueued,
    failed,
    delays,
    hooks: {
      onEnqueued: (o: OutgoingOrder) => enqueued.push(o),
      onFailed: (o: OutgoingOrder, reason: string) => failed.push({ order: o, reason }),
      sleep: async (ms: number) => {
        delays.push(ms);
      },
      random: () => 1,
    },
  };
};

const sendAll = async (sender: OrderSender, orders: OutgoingOrder[]): Promise<void> => {
  for (const o of orders) await sender.add(o);
  await sender.flush();
};

const sentEntries = () =>
  sqsMock.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input.Entries ?? []);

describe('OrderSender', () => {
  beforeEach(() => sqsMock.reset());

  it('sends 10 entries per call with group id, dedup id, body and attributes', async () => {
    // Arrange
    sqsMock.on(SendMessageBatchCommand).callsFake(allSucceed);
    const seen = collector();
    const sender = new OrderSender(new SQSClient({}), { queueUrl: QUEUE_URL }, seen.hooks);
    const orders = Array.from({ length: 25 }, (_, i) => order(i + 1));

    // Act
    await sendAll(sender, orders);

    // Assert
    expect(sentEntries().map((entries) => entries.length)).toEqual([10, 10, 5]);
    expect(sentEntries()[0]?.[0]).toEqual({
      Id: '0',
      MessageBody: orders[0]?.canonical,
      MessageGroupId: 'ord-1',
      MessageDeduplicationId: 'hash-1',
      MessageAttributes: {
        eventType: { DataType: 'String', StringValue: 'OrderPlaced' },
        schemaVersion: { DataType: 'String', StringValue: '1' },
        correlationId: { DataType: 'String', StringValue: 'bucket/incoming/a.jsonl#1' },
      },
    });
    expect(seen.enqueued).toHaveLength(25);
    expect(seen.failed).toEqual([]);
  });

  it('retries only the entries returned in Failed, with the same dedup id and backoff', async () => {
    // Arrange
    sqsMock
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Successful: [{ Id: '0', MessageId: 'm0', MD5OfMessageBody: 'x' }],
        Failed: [
          { Id: '1', SenderFault: false, Code: 'InternalError', Message: 'try again' },
          { Id: '2', SenderFault: false, Code: 'ServiceUnavailable', Message: 'busy' },
        ],
      })
      .resolvesOnce({
        Successful: [{ Id: '2', MessageId: 'm2', MD5OfMessageBody: 'x' }],
        Failed: [{ Id: '1', SenderFault: false, Code: 'InternalError', Message: 'try again' }],
      })
      .callsFake(allSucceed);
    const seen = collector();
    const sender = new OrderSender(new SQSClient({}), { queueUrl: QUEUE_URL, baseDelayMs: 100 }, seen.hooks);

    // Act
    await sendAll(sender, [order(1), order(2), order(3)]);

    // Assert
    const calls = sentEntries();
    expect(calls.map((entries) => entries.map((entry) => entry.MessageDeduplicationId))).toEqual([
      ['hash-1', 'hash-2', 'hash-3'],
      ['hash-2', 'hash-3'],
      ['hash-2'],
    ]);
    expect(seen.enqueued.map((o) => o.orderId).sort()).toEqual(['ord-1', 'ord-2', 'ord-3']);
    expect(seen.delays).toEqual([100, 200]);
  });

  it('reports an entry SQS refuses as the sender fault at once, without retrying it', async () => {
    // Arrange
    sqsMock.on(SendMessageBatchCommand).resolves({
      Successful: [{ Id: '1', MessageId: 'm1', MD5OfMessageBody: 'x' }],
      Failed: [{ Id: '0', SenderFault: true, Code: 'InvalidMessageContents', Message: 'invalid character' }],
    });
    const seen = collector();
    const sender = new OrderSender(new SQSClient({}), { queueUrl: QUEUE_URL }, seen.hooks);

    // Act
    await sendAll(sender, [order(1), order(2)]);

    // Assert
    expect(sentEntries()).toHaveLength(1);
    expect(seen.failed).toEqual([
      { order: order(1), reason: 'could not enqueue: InvalidMessageContents invalid character' },
    ]);
  });

  it('fails with EnqueueIncomplete, rejecting nothing, when SQS keeps failing an entry past the time to retry', async () => {
    // Arrange: 350 ms to retry; with full delays (random 1) the waits are 100, 200, then 400 > what is left
    sqsMock.on(SendMessageBatchCommand).resolves({
      Successful: [],
      Failed: [{ Id: '0', SenderFault: false, Code: 'InternalError', Message: 'still broken' }],
    });
    const seen = collector();
    const waited = () => seen.delays.reduce((sum, ms) => sum + ms, 0);
    const sender = new OrderSender(
      new SQSClient({}),
      { queueUrl: QUEUE_URL, timeLeftMs: () => 350 - waited() },
      seen.hooks,
    );

    // Act
    const sending = sendAll(sender, [order(1)]);

    // Assert: the order is neither enqueued nor reported as an invalid record
    await expect(sending).rejects.toThrow(EnqueueIncomplete);
    await expect(sending).rejects.toThrow(/did not confirm 1 message.*InternalError still broken/);
    expect(sentEntries()).toHaveLength(3);
    expect(seen.failed).toEqual([]);
    expect(seen.enqueued).toEqual([]);
  });

  it('sends again an entry SQS reports in neither list', async () => {
    // Arrange
    sqsMock
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Successful: [{ Id: '0', MessageId: 'm0', MD5OfMessageBody: 'x' }], Failed: [] })
      .callsFake(allSucceed);
    const seen = collector();
    const sender = new OrderSender(new SQSClient({}), { queueUrl: QUEUE_URL }, seen.hooks);

    // Act
    await sendAll(sender, [order(1), order(2)]);

    // Assert
    expect(sentEntries().map((entries) => entries.length)).toEqual([2, 1]);
    expect(seen.enqueued).toHaveLength(2);
  });

  it('keeps at most maxInFlight calls open and makes add wait for a free slot', async () => {
    // Arrange
    let open = 0;
    let peak = 0;
    const releases: (() => void)[] = [];
    sqsMock.on(SendMessageBatchCommand).callsFake(async (input: SendMessageBatchCommandInput) => {
      open += 1;
      peak = Math.max(peak, open);
      await new Promise<void>((resolve) => releases.push(resolve));
      open -= 1;
      return allSucceed(input);
    });
    const seen = collector();
    const sender = new OrderSender(new SQSClient({}), { queueUrl: QUEUE_URL, maxInFlight: 2 }, seen.hooks);
    const orders = Array.from({ length: 60 }, (_, i) => order(i + 1));

    // Act
    const sending = sendAll(sender, orders);
    const deadline = Date.now() + 5_000;
    while (seen.enqueued.length < orders.length && Date.now() < deadline) {
      await new Promise((resolve) => setImmediate(resolve));
      releases.shift()?.();
    }
    await sending;

    // Assert
    expect(peak).toBe(2);
    expect(seen.enqueued).toHaveLength(60);
  });

  it('starts a new call before the batch would pass 1 MiB', async () => {
    // Arrange
    sqsMock.on(SendMessageBatchCommand).callsFake(allSucceed);
    const seen = collector();
    const sender = new OrderSender(new SQSClient({}), { queueUrl: QUEUE_URL }, seen.hooks);
    const big = Array.from({ length: 10 }, (_, i) => order(i + 1, 200 * 1024));

    // Act
    await sendAll(sender, big);

    // Assert
    const calls = sentEntries();
    expect(calls.map((entries) => entries.length)).toEqual([5, 5]);
    for (const entries of calls) {
      const bytes = entries.reduce(
        (sum, entry) => sum + messageBytes(big[Number(entry.MessageGroupId?.slice(4)) - 1] as OutgoingOrder),
        0,
      );
      expect(bytes).toBeLessThanOrEqual(SQS_LIMITS.bytesPerBatch);
    }
  });

  it('refuses a message larger than SQS allows instead of sending it', async () => {
    // Arrange
    sqsMock.on(SendMessageBatchCommand).callsFake(allSucceed);
    const seen = collector();
    const sender = new OrderSender(new SQSClient({}), { queueUrl: QUEUE_URL }, seen.hooks);

    // Act
    await sendAll(sender, [order(1, SQS_LIMITS.bytesPerMessage + 1)]);

    // Assert
    expect(sentEntries()).toEqual([]);
    expect(seen.failed[0]?.reason).toMatch(/^could not enqueue: message is \d+ bytes/);
  });

  it('fails flush at once when a call fails for good, so the whole ingest is retried', async () => {
    // Arrange
    sqsMock
      .on(SendMessageBatchCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    const seen = collector();
    const sender = new OrderSender(new SQSClient({}), { queueUrl: QUEUE_URL }, seen.hooks);

    // Act
    const sending = sendAll(sender, [order(1), order(2)]);

    // Assert
    await expect(sending).rejects.toThrow('not authorized');
    expect(sentEntries()).toHaveLength(1);
    expect(seen.enqueued).toEqual([]);
  });

  it.each([
    ['a connection reset', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['a timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
    [
      'a 503',
      Object.assign(new Error('busy'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } }),
    ],
  ])('sends the whole batch again after %s that outlived the SDK retries', async (_, error) => {
    // Arrange
    sqsMock.on(SendMessageBatchCommand).rejectsOnce(error).callsFake(allSucceed);
    const seen = collector();
    const sender = new OrderSender(new SQSClient({}), { queueUrl: QUEUE_URL }, seen.hooks);

    // Act
    await sendAll(sender, [order(1), order(2)]);

    // Assert
    expect(sentEntries().map((entries) => entries.map((entry) => entry.MessageDeduplicationId))).toEqual([
      ['hash-1', 'hash-2'],
      ['hash-1', 'hash-2'],
    ]);
    expect(seen.enqueued).toHaveLength(2);
    expect(seen.failed).toEqual([]);
  });
});

describe('OrderSender: order within a message group', () => {
  beforeEach(() => sqsMock.reset());

  it('keeps the messages of one group in file order, never in one call and never two calls at once', async () => {
    // Arrange: the first call answers late; a second, unrelated call could overtake it
    const releases: (() => void)[] = [];
    const calls: string[][] = [];
    sqsMock.on(SendMessageBatchCommand).callsFake(async (input: SendMessageBatchCommandInput) => {
      calls.push((input.Entries ?? []).map((entry) => entry.MessageDeduplicationId ?? ''));
      await new Promise<void>((resolve) => releases.push(resolve));
      return allSucceed(input);
    });
    const seen = collector();
    const sender = new OrderSender(new SQSClient({}), { queueUrl: QUEUE_URL, maxInFlight: 4 }, seen.hooks);
    const first = { ...order(1), deduplicationId: 'first-version' };
    const later = { ...order(1), deduplicationId: 'later-version' };

    const turns = async (until: () => boolean) => {
      for (let turn = 0; turn < 100 && !until(); turn += 1)
        await new Promise((resolve) => setImmediate(resolve));
    };

    // Act: the later version of ord-1 closes the first call and waits for it
    await sender.add(first);
    await sender.add(order(2));
    await sender.add(later);
    const flushing = sender.flush();
    await turns(() => false);
    const beforeRelease = calls.map((call) => [...call]);
    releases.shift()?.();
    await turns(() => calls.length === 2);
    releases.shift()?.();
    await flushing;

    // Assert: ord-1's later version went out only after the call with its first version answered
    expect(beforeRelease).toEqual([['first-version', 'hash-2']]);
    expect(calls).toEqual([['first-version', 'hash-2'], ['later-version']]);
    expect(seen.enqueued.map((o) => o.deduplicationId)).toEqual(['first-version', 'hash-2', 'later-version']);
  });
});
