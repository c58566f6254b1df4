import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { InvalidOrder } from '#shared/errors/index';
import {
  deadLetterAttributes,
  MAX_REASON_BYTES,
  sendToDeadLetterQueue,
  truncateUtf8,
} from '../../../functions/process-order/dead-letter.lazy';
import { sqsRecord } from '../../helpers/sqs-events';

const failedAt = new Date('2026-11-22T09:30:00.000Z');

describe('sendToDeadLetterQueue', () => {
  const sqs = new SQSClient({ region: 'us-east-1' });
  const mock = mockClient(sqs);

  beforeEach(() => mock.reset());

  it('sends the original body in the original group, deduplicated by the original message id', async () => {
    // Arrange
    mock.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
    const record = sqsRecord({ body: '{"not":"an order"}', groupId: 'group-9', messageId: 'message-9' });

    // Act
    await sendToDeadLetterQueue(sqs, 'https://dlq', record, {
      error: new InvalidOrder(['orderId: Required']),
      correlationId: 'bucket/key#4',
      failedAt,
    });

    // Assert
    const sent = mock.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(sent).toMatchObject({
      QueueUrl: 'https://dlq',
      MessageBody: '{"not":"an order"}',
      MessageGroupId: 'group-9',
      MessageDeduplicationId: 'message-9',
    });
    expect(sent?.MessageAttributes).toMatchObject({
      eventType: { DataType: 'String', StringValue: 'OrderPlaced' },
      errorType: { DataType: 'String', StringValue: 'InvalidOrder' },
      errorReason: { DataType: 'String', StringValue: 'invalid order: orderId: Required' },
      failedAt: { DataType: 'String', StringValue: '2026-11-22T09:30:00.000Z' },
      correlationId: { DataType: 'String', StringValue: 'bucket/key#4' },
      sourceMessageId: { DataType: 'String', StringValue: 'message-9' },
    });
  });

  it('throws when the send fails so the message stays on the queue', async () => {
    // Arrange
    mock.on(SendMessageCommand).rejects(new Error('service unavailable'));
    const record = sqsRecord({ body: 'x', groupId: 'g' });

    // Act
    const send = sendToDeadLetterQueue(sqs, 'https://dlq', record, {
      error: new InvalidOrder(['x']),
      correlationId: 'c',
      failedAt,
    });

    // Assert
    await expect(send).rejects.toThrow('service unavailable');
  });
});

describe('deadLetterAttributes', () => {
  it('keeps the reason within 1 KiB and free of characters SQS refuses', () => {
    // Arrange
    const reasons = [`customerId: bad value \u0000\u0007 ${'é'.repeat(2_000)}`];
    const record = sqsRecord({ body: 'x', groupId: 'g' });

    // Act
    const attributes = deadLetterAttributes(record, {
      error: new InvalidOrder(reasons),
      correlationId: 'c',
      failedAt,
    });

    // Assert
    const reason = attributes.errorReason?.StringValue ?? '';
    expect(Buffer.byteLength(reason, 'utf8')).toBeLessThanOrEqual(MAX_REASON_BYTES);
    expect([...reason].filter((char) => char < ' ' && char !== '\n')).toEqual([]);
    expect(reason.endsWith('…')).toBe(true);
  });

  it('keeps the failure attributes and stays within ten attributes when the original has many', () => {
    // Arrange
    const many = Object.fromEntries(
      Array.from({ length: 10 }, (_, i) => [`custom${i}`, { dataType: 'String', stringValue: String(i) }]),
    );
    const record = sqsRecord({ body: 'x', groupId: 'g', messageAttributes: many });

    // Act
    const attributes = deadLetterAttributes(record, {
      error: new InvalidOrder(['x']),
      correlationId: 'c',
      failedAt,
    });

    // Assert
    expect(Object.keys(attributes)).toHaveLength(10);
    expect(Object.keys(attributes)).toEqual(
      expect.arrayContaining(['errorType', 'errorReason', 'failedAt', 'correlationId', 'sourceMessageId']),
    );
  });

  it('carries binary attributes over as bytes', () => {
    // Arrange
    const record = sqsRecord({
      body: 'x',
      groupId: 'g',
      messageAttributes: {
        blob: { dataType: 'Binary', binaryValue: Buffer.from([1, 2, 3]).toString('base64') },
      },
    });

    // Act
    const attributes = deadLetterAttributes(record, {
      error: new InvalidOrder(['x']),
      correlationId: 'c',
      failedAt,
    });

    // Assert
    expect(Buffer.from(attributes.blob?.BinaryValue ?? new Uint8Array())).toEqual(Buffer.from([1, 2, 3]));
  });
});

describe('truncateUtf8', () => {
  it('never cuts a character in half', () => {
    // Arrange
    const text = '😀'.repeat(10);

    // Act
    const cut = truncateUtf8(text, 10);

    // Assert
    expect(cut).toBe('😀…');
  });
});
