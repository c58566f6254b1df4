import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

export interface QueueMessage {
  readonly messageId: string;
  readonly body: string;
  readonly groupId?: string;
  readonly receiveCount: number;
  /** When the message entered this queue, by the queue's clock (ISO). */
  readonly sentAt?: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface QueueDepth {
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
}

export const queueDepth = async (sqs: SQSClient, queueUrl: string): Promise<QueueDepth> => {
  const { Attributes: a = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return {
    visible: Number(a.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
  };
};

export const toQueueMessage = (message: Message): QueueMessage => {
  const attributes = Object.fromEntries(
    Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue ?? '']),
  );
  const sent = Number(message.Attributes?.SentTimestamp);
  return {
    messageId: message.MessageId ?? '',
    body: message.Body ?? '',
    ...(message.Attributes?.MessageGroupId ? { groupId: message.Attributes.MessageGroupId } : {}),
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
    ...(Number.isFinite(sent) && sent > 0 ? { sentAt: new Date(sent).toISOString() } : {}),
    attributes,
  };
};

/** One page of a queue, received with all attributes and held for `holdSeconds`. */
export const receivePage = async (
  sqs: SQSClient,
  queueUrl: string,
  options: { readonly max: number; readonly holdSeconds: number },
): Promise<Message[]> => {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: Math.max(1, Math.min(10, options.max)),
      WaitTimeSeconds: 0,
      VisibilityTimeout: options.holdSeconds,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
  );
  return Messages;
};

/** Makes received messages visible again at once (in batches of 10, SQS's limit). */
export const release = async (
  sqs: SQSClient,
  queueUrl: string,
  messages: readonly Message[],
): Promise<void> => {
  for (let start = 0; start < messages.length; start += 10) {
    const batch = messages.slice(start, start + 10);
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
};

/** How long a look holds what it read: just long enough that the next receive returns new messages. */
const LOOK_HOLD_SECONDS = 30;

/**
 * Reads a queue the way the console's "poll for messages" does, without hiding it: messages are
 * received (held for a few seconds so that the next receive returns others), and every one read
 * is made visible again (ChangeMessageVisibility 0) before this returns, even when it fails.
 * Each read still counts towards a message's receive count: SQS counts every receive. A FIFO queue
 * hands out one message per group at a time, so only the oldest message of each group shows.
 */
export const peekMessages = async (
  sqs: SQSClient,
  queueUrl: string,
  options: { readonly max?: number } = {},
): Promise<QueueMessage[]> => {
  const held: Message[] = [];
  const seen = new Map<string, QueueMessage>();
  const max = options.max ?? 100;
  try {
    while (seen.size < max) {
      const page = await receivePage(sqs, queueUrl, { max: max - seen.size, holdSeconds: LOOK_HOLD_SECONDS });
      held.push(...page);
      const fresh = page.filter((message) => message.MessageId && !seen.has(message.MessageId));
      if (fresh.length === 0) break;
      for (const message of fresh) seen.set(message.MessageId ?? '', toQueueMessage(message));
    }
  } finally {
    await release(sqs, queueUrl, held);
  }
  return [...seen.values()];
};
