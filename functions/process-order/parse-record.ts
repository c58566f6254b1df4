import type { SQSRecord } from 'aws-lambda';
import { InvalidOrder } from '#shared/errors/index';
import { contentHash, type OrderPlaced, validateOrder } from '#shared/schemas/order-placed';

/** A record whose body is a valid OrderPlaced, with the forms every later step needs. */
export interface ParsedOrder {
  readonly order: OrderPlaced;
  /** The canonical JSON: the same order always gives the same string. */
  readonly canonical: string;
  readonly contentHash: string;
}

/**
 * The correlation id ingest set (`<bucket>/<key>#<line>`). A message sent by hand may lack
 * it; the message id still lets an operator find the message in the logs.
 */
export const correlationIdOf = (record: SQSRecord): string =>
  record.messageAttributes?.correlationId?.stringValue || `sqs:${record.messageId}`;

/** Parses and validates a message body; a body that is not a valid order is a permanent error. */
export const parseOrderRecord = (record: SQSRecord): ParsedOrder => {
  let value: unknown;
  try {
    value = JSON.parse(record.body);
  } catch (error) {
    throw new InvalidOrder([`body is not JSON: ${(error as Error).message}`]);
  }
  const result = validateOrder(value);
  if (!result.ok) throw new InvalidOrder(result.reasons);
  return { order: result.order, canonical: result.canonical, contentHash: contentHash(result.canonical) };
};
