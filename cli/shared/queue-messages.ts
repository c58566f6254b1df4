import { GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface QueueMessage {
  readonly messageId: string;
  readonly body: string;
  readonly groupId?: string;
  readonly receiveCount: number;
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

/**
 * Reads the queue's messages the way the console's "poll for messages" does: received and left
 * in place, invisible for `visibilitySeconds` (0: not hidden at all; receives repeat until they
 * return nothing new). A FIFO queue hands out one message per group at a time, so only the oldest
 * message of each group shows. Each read counts towards the message's receive count.
 */
export const peekMessages = async (
  sqs: SQSClient,
  queueUrl: string,
  options: { readonly visibilitySeconds?: number; readonly max?: number } = {},
): Promise<QueueMessage[]> => {
  const seen = new Map<string, QueueMessage>();
  const max = options.max ?? 100;
  while (seen.size < max) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: options.visibilitySeconds ?? 0,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const fresh = Messages.filter((message) => message.MessageId && !seen.has(message.MessageId));
    if (fresh.length === 0) break;
    for (const message of fresh) {
      const attributes = Object.fromEntries(
        Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
          name,
          value.StringValue ?? '',
        ]),
      );
      seen.set(message.MessageId ?? '', {
        messageId: message.MessageId ?? '',
        body: message.Body ?? '',
        ...(message.Attributes?.MessageGroupId ? { groupId: message.Attributes.MessageGroupId } : {}),
        receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
        attributes,
      });
    }
  }
  return [...seen.values()];
};
