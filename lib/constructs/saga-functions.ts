import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Alias } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ORDERS_BY_STATUS_INDEX } from '../contract';
import { OrderflowFunction } from './orderflow-function';

export type SagaTable = 'orders' | 'inventory' | 'reservations' | 'payments' | 'provider';

const TABLE_ENV: Record<SagaTable, string> = {
  orders: 'ORDERS_TABLE',
  inventory: 'INVENTORY_TABLE',
  reservations: 'RESERVATIONS_TABLE',
  payments: 'PAYMENTS_TABLE',
  provider: 'PROVIDER_TABLE',
};

interface StepSpec {
  /** Folder under functions/saga/. */
  readonly folder: string;
  /** The only tables the step touches: each gets the table's env var and a grant. */
  readonly tables: readonly SagaTable[];
  /** Per table, the only DynamoDB actions the step uses on it. @default read/write data on each table */
  readonly actions?: Partial<Record<SagaTable, readonly string[]>>;
  readonly publishesNotifications?: boolean;
}

/**
 * The saga's task functions, keyed by the definition substitution the ASL file uses for each.
 * Table access follows the step handlers: a step is granted exactly the tables it names.
 */
export const SAGA_TASKS = {
  // Records the order from the execution input (process-order's envelope or a pasted order) and links it.
  AcceptOrderFunctionArn: { folder: 'accept-order', tables: ['orders'] },
  ReserveInventoryFunctionArn: {
    folder: 'reserve-inventory',
    tables: ['orders', 'inventory', 'reservations'],
  },
  // `provider`: the simulated payment provider and carrier keep their books there.
  ChargePaymentFunctionArn: { folder: 'charge-payment', tables: ['orders', 'payments', 'provider'] },
  CreateShipmentFunctionArn: { folder: 'create-shipment', tables: ['orders', 'provider'] },
  ConfirmOrderFunctionArn: { folder: 'confirm-order', tables: ['orders'], publishesNotifications: true },
  // It marks the order's shipment cancelled (one UpdateItem returning the item) and cancels at the carrier.
  CancelShipmentFunctionArn: {
    folder: 'cancel-shipment',
    tables: ['orders', 'provider'],
    actions: { orders: ['dynamodb:UpdateItem'] },
  },
  RefundPaymentFunctionArn: { folder: 'refund-payment', tables: ['payments', 'provider'] },
  ReleaseInventoryFunctionArn: { folder: 'release-inventory', tables: ['inventory', 'reservations'] },
  RecordOutcomeFunctionArn: { folder: 'record-outcome', tables: ['orders'] },
} as const satisfies Record<string, StepSpec>;

export type SagaTaskKey = keyof typeof SAGA_TASKS;

/** Not a task: the target of the rule on executions that ended without an outcome. */
const EXECUTION_ENDED: StepSpec = { folder: 'execution-ended', tables: ['orders'] };

/** Not a task: runs on a schedule, counting orders NEEDS_ATTENTION for days (a Query of the ByStatus index). */
const ATTENTION_AGE: StepSpec = { folder: 'attention-age', tables: [], actions: {} };

export interface SagaFunctionsProps {
  readonly tables: Record<SagaTable, ITableV2>;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly logRetention: RetentionDays;
  /** Source maps in the zip and --enable-source-maps (OrderflowFunctionProps.sourceMaps). @default false */
  readonly sourceMaps?: boolean;
  /** Powertools' Tracer on (OrderflowFunctionProps.traceSdkCalls). @default false */
  readonly traceSdkCalls?: boolean;
  readonly logRemovalPolicy: RemovalPolicy;
}

const pascal = (folder: string) =>
  folder
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');

/** The saga's Lambda functions and the "order notifications" topic ConfirmOrder publishes to. */
export class SagaFunctions extends Construct {
  readonly tasks: Record<SagaTaskKey, OrderflowFunction>;
  readonly executionEnded: OrderflowFunction;
  /** Publishes OrdersNearRedriveLimit: orders NEEDS_ATTENTION for 10 days, nearing the 14-day redrive limit. */
  readonly attentionAge: OrderflowFunction;
  readonly notifications: Topic;

  constructor(scope: Construct, id: string, props: SagaFunctionsProps) {
    super(scope, id);

    this.notifications = new Topic(this, 'OrderNotifications', {
      displayName: 'orderflow order notifications',
      enforceSSL: true,
      // The AWS-managed SNS key: encrypted at rest at no key cost. Only our functions publish here;
      // a topic that AWS services publish to (alarms) needs a customer key instead.
      masterKey: Alias.fromAliasName(this, 'SnsManagedKey', 'alias/aws/sns'),
    });

    const build = (spec: StepSpec) => {
      const fn = new OrderflowFunction(this, pascal(spec.folder), {
        entry: `functions/saga/${spec.folder}/handler.ts`,
        serviceName: spec.folder,
        timeout: props.timeout,
        memorySize: props.memorySize,
        logRetention: props.logRetention,
        sourceMaps: props.sourceMaps,
        traceSdkCalls: props.traceSdkCalls,
        logRemovalPolicy: props.logRemovalPolicy,
        environment: {
          ...Object.fromEntries(spec.tables.map((t) => [TABLE_ENV[t], props.tables[t].tableName])),
          ...(spec.publishesNotifications ? { NOTIFICATIONS_TOPIC_ARN: this.notifications.topicArn } : {}),
        },
      });
      for (const table of spec.tables) {
        const actions = spec.actions?.[table];
        if (actions) props.tables[table].grant(fn, ...actions);
        else props.tables[table].grantReadWriteData(fn);
      }
      if (spec.publishesNotifications) this.notifications.grantPublish(fn);
      return fn;
    };

    this.tasks = Object.fromEntries(
      Object.entries(SAGA_TASKS).map(([key, spec]) => [key, build(spec)]),
    ) as Record<SagaTaskKey, OrderflowFunction>;
    this.executionEnded = build(EXECUTION_ENDED);
    this.attentionAge = build(ATTENTION_AGE);
    const orders = props.tables.orders;
    this.attentionAge.function.addEnvironment('ORDERS_TABLE', orders.tableName);
    this.attentionAge.function.addEnvironment('ORDERS_BY_STATUS_INDEX', ORDERS_BY_STATUS_INDEX);
    // Only the index it reads: the imported table's grant methods know no index.
    this.attentionAge.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${orders.tableArn}/index/${ORDERS_BY_STATUS_INDEX}`],
      }),
    );
  }
}
