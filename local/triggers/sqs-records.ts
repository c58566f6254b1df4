import type { Message } from '@aws-sdk/client-sqs';
import type { SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from 'aws-lambda';

/** A received message's attributes as Lambda spells them (binary values base64-encoded). */
export const lambdaMessageAttributes = (message: Message): SQSMessageAttributes => {
  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      dataType: value.DataType ?? 'String',
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined
        ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }
        : {}),
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return messageAttributes;
};

/** A received message in the shape Lambda's SQS event source hands to the function. */
export const sqsRecord = (message: Message, queueArn: string, region: string): SQSRecord => {
  const attributes = message.Attributes ?? {};
  const messageAttributes = lambdaMessageAttributes(message);
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: attributes as unknown as SQSRecordAttributes,
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
};

/**
 * The records to delete after an invocation, following Lambda's rules: no partial batch response
 * configured, or none returned → all; a partial response → all but the listed ones; a malformed
 * one (unknown or empty id) → none, the whole batch failed.
 */
export const recordsToDelete = (
  records: readonly SQSRecord[],
  result: unknown,
  reportBatchItemFailures: boolean,
): { readonly delete: SQSRecord[]; readonly failed: number; readonly malformed?: string } => {
  if (!reportBatchItemFailures || typeof result !== 'object' || result === null) {
    return { delete: [...records], failed: 0 };
  }
  const failures = (result as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { delete: [...records], failed: 0 };
  if (!Array.isArray(failures))
    return { delete: [], failed: records.length, malformed: 'batchItemFailures is not a list' };
  const ids = new Set(records.map((record) => record.messageId));
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '' || !ids.has(id)) {
      return {
        delete: [],
        failed: records.length,
        malformed: `itemIdentifier ${JSON.stringify(id)} is not in the batch`,
      };
    }
    failed.add(id);
  }
  return { delete: records.filter((record) => !failed.has(record.messageId)), failed: failed.size };
};
