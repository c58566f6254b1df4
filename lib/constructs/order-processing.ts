import { ArnFormat, type Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';
import { OrderflowFunction } from './orderflow-function';

/** SQS caps a batch at 10 without a batching window, and FIFO sources accept no batching window. */
export const ORDERS_BATCH_SIZE = 10;

export interface OrderProcessingProps {
  readonly ordersQueue: IQueue;
  readonly deadLetterQueue: IQueue;
  readonly ordersTable: ITableV2;
  readonly idempotencyTable: ITableV2;
  readonly stateMachine: IStateMachine;
  /** Must stay within the queue's visibility timeout / 6 (lib/guardrails checks it). */
  readonly timeout: Duration;
  readonly memorySize: number;
  /** Lambda's SQS maximum concurrency (2–1000): bounds the pollers, hence the saga start rate. */
  readonly maxConcurrency: number;
  readonly logRetention: RetentionDays;
  /** Source maps in the zip and --enable-source-maps (OrderflowFunctionProps.sourceMaps). @default false */
  readonly sourceMaps?: boolean;
  /** Powertools' Tracer on (OrderflowFunctionProps.traceSdkCalls). @default false */
  readonly traceSdkCalls?: boolean;
  readonly logRemovalPolicy: RemovalPolicy;
}

/**
 * orders.fifo → process-order: FIFO partial batches, idempotent per orderId, starts the saga.
 * Permanent failures are sent to the DLQ by the function itself, so it may send there too.
 */
export class OrderProcessing extends Construct {
  readonly handler: OrderflowFunction;

  constructor(scope: Construct, id: string, props: OrderProcessingProps) {
    super(scope, id);

    this.handler = new OrderflowFunction(this, 'Function', {
      entry: 'functions/process-order/handler.ts',
      serviceName: 'process-order',
      description: 'Records each order from orders.fifo once and starts its saga execution',
      timeout: props.timeout,
      memorySize: props.memorySize,
      logRetention: props.logRetention,
      sourceMaps: props.sourceMaps,
      traceSdkCalls: props.traceSdkCalls,
      logRemovalPolicy: props.logRemovalPolicy,
      environment: {
        ORDERS_TABLE: props.ordersTable.tableName,
        IDEMPOTENCY_TABLE: props.idempotencyTable.tableName,
        STATE_MACHINE_ARN: props.stateMachine.stateMachineArn,
        ORDERS_DLQ_URL: props.deadLetterQueue.queueUrl,
      },
    });
    const fn = this.handler.function;

    fn.addEventSource(
      new SqsEventSource(props.ordersQueue, {
        batchSize: ORDERS_BATCH_SIZE,
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency,
      }),
    );
    props.ordersTable.grantReadWriteData(fn);
    props.idempotencyTable.grantReadWriteData(fn);
    props.stateMachine.grantStartExecution(fn);
    // ExecutionAlreadyExists counts as success only once DescribeExecution shows the same input.
    props.stateMachine.grantExecution(fn, 'states:DescribeExecution');
    props.deadLetterQueue.grantSendMessages(fn);

    acknowledge(this.handler.role, {
      id: `AwsSolutions-IAM5[Resource::${nagExecutionsArn(props.stateMachine)}]`,
      reason:
        'DescribeExecution is granted on executions of the order saga only (execution:<saga name>:*); ' +
        'execution names are order ids, known only at run time.',
    });
  }
}

/**
 * The executions ARN grantExecution builds, as cdk-nag prints it: pseudo parameters as <AWS::...>,
 * the state machine name (split out of its ARN at deploy time) as the JSON of that expression.
 */
const nagExecutionsArn = (stateMachine: IStateMachine): string => {
  const stack = Stack.of(stateMachine);
  const name = stack.splitArn(stateMachine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName;
  return `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${JSON.stringify(stack.resolve(name))}:*`;
};
