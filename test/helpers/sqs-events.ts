import { randomUUID } from 'node:crypto';
import type { SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { canonicalize, type OrderPlacedInput, orderPlacedSchema } from '#shared/schemas/order-placed';

/** A valid OrderPlaced record; `overrides` change it (keep totalCents consistent when changing items). */
export const orderPlaced = (
  orderId: string,
  overrides: Partial<OrderPlacedInput> = {},
): OrderPlacedInput => ({
  schemaVersion: 1,
  orderId,
  customerId: 'customer-1',
  currency: 'EUR',
  items: [
    { sku: 'SKU-A', quantity: 2, unitPriceCents: 1_250 },
    { sku: 'SKU-B', quantity: 1, unitPriceCents: 999 },
  ],
  totalCents: 3_499,
  payment: { token: 'tok_ok' },
  shipTo: { country: 'DE', postalCode: '10115' },
  placedAt: '2026-11-01T10:00:00Z',
  ...overrides,
});

/** The message body ingest sends: the canonical JSON of the order. */
export const orderBody = (order: OrderPlacedInput): string => canonicalize(orderPlacedSchema().parse(order));

export interface SqsRecordOptions {
  readonly body: string;
  readonly groupId: string;
  /** @default a random UUID */
  readonly messageId?: string;
  /** @default `test-bucket/incoming/orders.jsonl#<n>` */
  readonly correlationId?: string | null;
  /** @default 1 */
  readonly receiveCount?: number;
  /** Replaces the ingest attributes when given. */
  readonly messageAttributes?: SQSMessageAttributes;
}

let line = 0;

/** An SQS FIFO record as the Lambda event source mapping delivers it. */
export const sqsRecord = (options: SqsRecordOptions): SQSRecord => {
  line += 1;
  const correlationId =
    options.correlationId === undefined ? `test-bucket/incoming/orders.jsonl#${line}` : options.correlationId;
  const now = String(Date.now());
  return {
    messageId: options.messageId ?? randomUUID(),
    receiptHandle: `receipt-${randomUUID()}`,
    body: options.body,
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: now,
      SenderId: 'AIDATEST',
      ApproximateFirstReceiveTimestamp: now,
      SequenceNumber: String(line).padStart(20, '0'),
      MessageGroupId: options.groupId,
      MessageDeduplicationId: randomUUID(),
    },
    messageAttributes: options.messageAttributes ?? {
      eventType: { dataType: 'String', stringValue: 'OrderPlaced' },
      schemaVersion: { dataType: 'String', stringValue: '1' },
      ...(correlationId === null
        ? {}
        : { correlationId: { dataType: 'String', stringValue: correlationId } }),
    },
    md5OfBody: 'not-checked',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:orders.fifo',
    awsRegion: 'us-east-1',
  };
};

/** A record carrying `order`, grouped by its orderId as ingest groups it. */
export const orderRecord = (order: OrderPlacedInput, options: Partial<SqsRecordOptions> = {}): SQSRecord =>
  sqsRecord({ groupId: order.orderId, body: orderBody(order), ...options });

export const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });
