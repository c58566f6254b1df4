import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTable } from './aws-resources';

/** The saga's tables, named uniquely so test files can share DynamoDB Local in parallel. */
export interface SagaTables {
  readonly orders: string;
  readonly inventory: string;
  readonly reservations: string;
  readonly payments: string;
  /** The simulated payment provider's and carrier's books (partition key `pk`). */
  readonly provider: string;
}

/** A step handler as these tests call it: the task's payload in, the step's result out. */
export type StepHandler = (event: unknown) => Promise<unknown>;

/** For steps that publish nothing: the environment needs a topic, but no test reads it. */
export const UNUSED_TOPIC_ARN = 'arn:aws:sns:us-east-1:000000000000:unused';

/** Creates orders (orderId), inventory (sku), reservations and payments (orderId), and provider (pk). */
export const createSagaTables = async (dynamodb: DynamoDBClient): Promise<SagaTables> => {
  const [orders, inventory, reservations, payments, provider] = await Promise.all([
    createTable(dynamodb, 'orders', 'orderId'),
    createTable(dynamodb, 'inventory', 'sku'),
    createTable(dynamodb, 'reservations', 'orderId'),
    createTable(dynamodb, 'payments', 'orderId'),
    createTable(dynamodb, 'provider', 'pk'),
  ]);
  return { orders, inventory, reservations, payments, provider };
};

/** The environment the CDK gives the saga's functions, pointing at these tables. */
export const sagaEnvironment = (tables: SagaTables, topicArn: string): Record<string, string> => ({
  ORDERS_TABLE: tables.orders,
  INVENTORY_TABLE: tables.inventory,
  RESERVATIONS_TABLE: tables.reservations,
  PAYMENTS_TABLE: tables.payments,
  PROVIDER_TABLE: tables.provider,
  NOTIFICATIONS_TOPIC_ARN: topicArn,
});

/**
 * Creates the tables and points process.env at them. Import the step handlers only after this:
 * they read their environment at module scope, as at a cold start.
 */
export const setUpSagaTables = async (
  dynamodb: DynamoDBClient,
  topicArn = UNUSED_TOPIC_ARN,
): Promise<SagaTables> => {
  const tables = await createSagaTables(dynamodb);
  Object.assign(process.env, sagaEnvironment(tables, topicArn));
  return tables;
};
