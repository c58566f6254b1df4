import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { ConflictingDuplicate } from '#shared/errors/index';
import { deadLetterAttributes } from '../../functions/process-order/dead-letter.lazy';
import { DLQ_ATTRIBUTE_HEADROOM_BYTES } from '../../lib/guardrails';
import { sqsRecord } from '../helpers/sqs-events';

/** What SQS counts towards a message's size for its attributes: names, data types and values. */
const attributeBytes = (attributes: Record<string, MessageAttributeValue>): number =>
  Object.entries(attributes).reduce(
    (sum, [name, attribute]) =>
      sum +
      Buffer.byteLength(name) +
      Buffer.byteLength(attribute.DataType ?? '') +
      Buffer.byteLength(attribute.StringValue ?? '') +
      (attribute.BinaryValue?.byteLength ?? 0),
    0,
  );

describe('dead-letter attributes against the DLQ headroom the guardrail demands', () => {
  it('adds less than the headroom to a message, even with the longest key and a long error', () => {
    // Arrange: S3 allows 63-character bucket names and 1,024-byte keys; ingest writes <bucket>/<key>#<line>.
    const correlationId = `${'b'.repeat(63)}/${'k'.repeat(1024)}#9999999`;
    const original: Record<string, MessageAttributeValue> = {
      eventType: { DataType: 'String', StringValue: 'OrderPlaced' },
      schemaVersion: { DataType: 'String', StringValue: '1' },
      correlationId: { DataType: 'String', StringValue: correlationId },
    };
    const record = sqsRecord({
      body: '{}',
      groupId: 'ord-1',
      messageAttributes: Object.fromEntries(
        Object.entries(original).map(([name, a]) => [
          name,
          { dataType: a.DataType ?? 'String', stringValue: a.StringValue ?? '' },
        ]),
      ),
    });
    // The reason is cut at 1 KiB whatever the error says; multi-byte characters fill it fastest.
    const error = new ConflictingDuplicate(`${'x'.repeat(64)} ${'€'.repeat(5_000)}`);

    // Act
    const attributes = deadLetterAttributes(record, { error, correlationId, failedAt: new Date() });

    // Assert
    const added = attributeBytes(attributes) - attributeBytes(original);
    expect(added).toBeGreaterThan(1_000);
    expect(added).toBeLessThan(DLQ_ATTRIBUTE_HEADROOM_BYTES);
  });
});
