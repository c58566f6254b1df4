import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { lambdaMessageAttributes } from '../../local/triggers/sqs-records';
import type { TestQueue } from './aws-resources';

/** A received message in the shape the Lambda event source mapping hands to the function. */
export const toSqsRecord = (message: Message, queueArn: string): SQSRecord => {
  const system = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: system.ApproximateReceiveCount ?? '1',
      SentTimestamp: system.SentTimestamp ?? String(Date.now()),
      SenderId: system.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: system.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(system.SequenceNumber ? { SequenceNumber: system.SequenceNumber } : {}),
      ...(system.MessageGroupId ? { MessageGroupId: system.MessageGroupId } : {}),
      ...(system.MessageDeduplicationId ? { MessageDeduplicationId: system.MessageDeduplicationId } : {}),
    },
    messageAttributes: lambdaMessageAttributes(message),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: process.env.AWS_REGION ?? 'us-east-1',
  };
};

export interface PollResult {
  readonly received: number;
  readonly failedMessageIds: readonly string[];
}

/**
 * One turn of what Lambda's event source mapping does with ReportBatchItemFailures: receive a
 * batch, invoke, delete what succeeded, leave the failures to reappear after the visibility
 * timeout. A handler that throws fails the whole batch.
 */
export const pollOnce = async (
  sqs: SQSClient,
  queue: TestQueue,
  handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>,
  context: Context,
  batchSize = 10,
): Promise<PollResult> => {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queue.url,
      MaxNumberOfMessages: batchSize,
      WaitTimeSeconds: 1,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
  );
  if (Messages.length === 0) return { received: 0, failedMessageIds: [] };
  const records = Messages.map((message) => toSqsRecord(message, queue.arn));
  let failed: Set<string>;
  try {
    const response = await handler({ Records: records }, context);
    failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
  } catch {
    failed = new Set(records.map((record) => record.messageId));
  }
  const succeeded = records.filter((record) => !failed.has(record.messageId));
  if (succeeded.length > 0) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: succeeded.map((record, index) => ({
          Id: String(index),
          ReceiptHandle: record.receiptHandle,
        })),
      }),
    );
  }
  return { received: records.length, failedMessageIds: [...failed] };
};
