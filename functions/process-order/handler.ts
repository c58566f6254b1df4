import type { SQSClient } from '@aws-sdk/client-sqs';
import { makeDocumentClient, makeDynamoDbClient, makeSfnClient } from '#shared/aws/clients';
import { env, envOr } from '#shared/env';
import { ConfigurationError } from '#shared/errors/index';
import { makePowertools } from '#shared/powertools';
import { makeProcessOrderHandler } from './sqs-handler';

/** A day: far longer than any redelivery of one message; the orders table guards after that. */
const DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS = 24 * 60 * 60;

const { logger, metrics, tracer } = makePowertools(envOr('POWERTOOLS_SERVICE_NAME', 'process-order'));

const expiresAfterSeconds = Number(
  envOr('IDEMPOTENCY_EXPIRES_AFTER_SECONDS', String(DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS)),
);
if (!Number.isInteger(expiresAfterSeconds) || expiresAfterSeconds < 60) {
  throw new ConfigurationError(
    `IDEMPOTENCY_EXPIRES_AFTER_SECONDS must be an integer of at least 60, got ${expiresAfterSeconds}`,
  );
}

// One DynamoDB client for the orders table (through the document client) and the idempotency records.
const dynamodb = tracer.captureAWSv3Client(makeDynamoDbClient());
let deadLetterClient: SQSClient | undefined;

// Set up once per cold start; the handler only wires them together.
export const handler = makeProcessOrderHandler({
  documentClient: makeDocumentClient(dynamodb),
  idempotencyClient: dynamodb,
  sfn: tracer.captureAWSv3Client(makeSfnClient()),
  deadLetterClient: () => {
    // dead-letter.lazy: loaded when the first record goes to the DLQ (a file of its own in the bundle).
    deadLetterClient ??= tracer.captureAWSv3Client(
      (require('./dead-letter.lazy') as typeof import('./dead-letter.lazy')).makeDeadLetterClient(),
    );
    return deadLetterClient;
  },
  config: { ordersTable: env('ORDERS_TABLE'), stateMachineArn: env('STATE_MACHINE_ARN') },
  idempotencyTable: env('IDEMPOTENCY_TABLE'),
  idempotencyExpiresAfterSeconds: expiresAfterSeconds,
  deadLetterQueueUrl: env('ORDERS_DLQ_URL'),
  clock: () => new Date(),
  logger,
  metrics,
});
