import { type MessageAttributeValue, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { makeSqsClient } from '#shared/aws/sqs-client';

/**
 * Sending a record to the DLQ: only a record's own permanent fault does, so process-order loads this
 * module, and builds its SQS client, when the first such record comes (a file of its own in the
 * bundle: lib/bundling/lazy-modules). The client and the command come from this one module, so both
 * are of one copy of the SDK.
 */
export const makeDeadLetterClient = (): SQSClient => makeSqsClient();

/** SQS refuses a message with more attributes than this. */
const MAX_MESSAGE_ATTRIBUTES = 10;
/** Long enough for every schema reason of a typical record, short enough to read in a console. */
export const MAX_REASON_BYTES = 1024;

export interface DeadLetter {
  readonly error: Error;
  readonly correlationId: string;
  readonly failedAt: Date;
}

/** SQS accepts only XML characters in attribute values; error text may quote anything a sender wrote. */
const sanitize = (text: string): string =>
  text.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD');

/** Cuts on a code point boundary so the reason never ends in half a character. */
export const truncateUtf8 = (text: string, maxBytes: number): string => {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const ellipsis = '…';
  const budget = maxBytes - Buffer.byteLength(ellipsis, 'utf8');
  let used = 0;
  let cut = '';
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (used + size > budget) break;
    used += size;
    cut += char;
  }
  return cut + ellipsis;
};

const stringAttribute = (value: string): MessageAttributeValue => ({
  DataType: 'String',
  StringValue: value,
});

/** Lambda's event shape back to the shape SendMessage takes. */
const originalAttributes = (
  attributes: SQSMessageAttributes | undefined,
): Record<string, MessageAttributeValue> => {
  const converted: Record<string, MessageAttributeValue> = {};
  for (const [name, attribute] of Object.entries(attributes ?? {})) {
    if (attribute.stringValue !== undefined) {
      converted[name] = { DataType: attribute.dataType, StringValue: attribute.stringValue };
    } else if (attribute.binaryValue !== undefined) {
      converted[name] = {
        DataType: attribute.dataType,
        BinaryValue: Buffer.from(attribute.binaryValue, 'base64'),
      };
    }
  }
  return converted;
};

/**
 * The original attributes plus the failure's. The failure's win a name clash (a message redriven
 * from the DLQ and failing again shows its latest failure) and survive the attribute limit.
 */
export const deadLetterAttributes = (
  record: SQSRecord,
  letter: DeadLetter,
): Record<string, MessageAttributeValue> => {
  const failure: Record<string, MessageAttributeValue> = {
    errorType: stringAttribute(sanitize(letter.error.name || 'Error')),
    errorReason: stringAttribute(
      truncateUtf8(sanitize(letter.error.message || letter.error.name), MAX_REASON_BYTES),
    ),
    failedAt: stringAttribute(letter.failedAt.toISOString()),
    correlationId: stringAttribute(sanitize(letter.correlationId)),
    sourceMessageId: stringAttribute(record.messageId),
  };
  const room = MAX_MESSAGE_ATTRIBUTES - Object.keys(failure).length;
  const kept = Object.entries(originalAttributes(record.messageAttributes))
    .filter(([name]) => !(name in failure))
    .slice(0, room);
  return { ...Object.fromEntries(kept), ...failure };
};

/**
 * Sends a message that can never succeed to the DLQ at once, in its own message group so the
 * DLQ keeps the order of each group. The dedup id is the original message id: if the send is
 * retried after a lost response, SQS keeps one copy. Throws when the send fails; the caller must
 * then leave the message on the queue.
 */
export const sendToDeadLetterQueue = async (
  sqs: SQSClient,
  queueUrl: string,
  record: SQSRecord,
  letter: DeadLetter,
): Promise<void> => {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: record.body,
      MessageGroupId: record.attributes?.MessageGroupId || record.messageId,
      MessageDeduplicationId: record.messageId,
      MessageAttributes: deadLetterAttributes(record, letter),
    }),
  );
};
