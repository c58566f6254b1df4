import { randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** A name no other test file uses, so files can run in parallel against one stand-in. */
export const uniqueName = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

export interface TestQueue {
  readonly url: string;
  readonly arn: string;
}

/** Creates a FIFO queue; `name` gets the `.fifo` suffix here. */
export const createFifoQueue = async (
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string> = {},
): Promise<TestQueue> => {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: `${name}.fifo`, Attributes: { FifoQueue: 'true', ...attributes } }),
  );
  if (!QueueUrl) throw new Error(`CreateQueue returned no URL for ${name}`);
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  if (!Attributes?.QueueArn) throw new Error(`queue ${name} has no ARN`);
  return { url: QueueUrl, arn: Attributes.QueueArn };
};

/**
 * Receives and deletes messages until `count` have arrived or the deadline passes. Deleting
 * matters for FIFO: a message in flight holds back the rest of its group.
 */
export const drainQueue = async (
  sqs: SQSClient,
  queueUrl: string,
  { count, timeoutMs = 10_000 }: { count: number; timeoutMs?: number },
): Promise<Message[]> => {
  const received: Message[] = [];
  const deadline = Date.now() + timeoutMs;
  while (received.length < count && Date.now() < deadline) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    for (const message of Messages) {
      received.push(message);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
  }
  return received;
};
