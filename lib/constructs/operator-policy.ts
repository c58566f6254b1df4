import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ORDERS_BY_STATUS_INDEX } from '../contract';
import { acknowledge, nagRef } from '../nag';

export interface OperatorPolicyProps {
  /** The names of the stage's two stacks, which the CLI reads outputs from (DescribeStacks). */
  readonly stackNames: readonly string[];
  readonly bucket: IBucket;
  readonly tables: {
    readonly orders: ITableV2;
    readonly inventory: ITableV2;
    readonly reservations: ITableV2;
    readonly payments: ITableV2;
    readonly provider: ITableV2;
  };
  readonly ordersQueue: IQueue;
  readonly deadLetterQueue: IQueue;
  readonly ingestFailures: IQueue;
  readonly saga: StateMachine;
  readonly repair: StateMachine;
}

/**
 * A managed policy with exactly the calls `orderflow` makes against a deployed stage, on this
 * stage's resources only: attach it to an operator's role or group. `test/infra/operator-policy.test.ts`
 * fails when the CLI's sources call an action the policy does not allow.
 * A DLQ kept after its stack was deleted (`dlq redrive --queue-url`) is not covered: grant that one by hand.
 */
export class OperatorPolicy extends Construct {
  readonly policy: ManagedPolicy;

  constructor(scope: Construct, id: string, props: OperatorPolicyProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { tables } = props;
    const executions = (machine: StateMachine) =>
      stack.formatArn({
        service: 'states',
        resource: 'execution',
        resourceName: `${machine.stateMachineName}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    const stacks = props.stackNames.map((name) =>
      stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${name}/*` }),
    );
    const allTables = Object.values(tables).map((table) => table.tableArn);

    this.policy = new ManagedPolicy(this, 'Policy', {
      description:
        'orderflow operator: what the orderflow CLI calls on this stage (README, "The operator CLI")',
      statements: [
        new PolicyStatement({
          sid: 'ReadStackOutputs',
          actions: ['cloudformation:DescribeStacks'],
          resources: stacks,
        }),
        new PolicyStatement({
          sid: 'StartAndListExecutions',
          // start: the saga; repair: the repair machine; verify: both listed
          actions: ['states:StartExecution', 'states:ListExecutions'],
          resources: [props.saga.stateMachineArn, props.repair.stateMachineArn],
        }),
        new PolicyStatement({
          sid: 'ReadAndRedriveExecutions',
          actions: ['states:DescribeExecution', 'states:GetExecutionHistory', 'states:RedriveExecution'],
          resources: [executions(props.saga), executions(props.repair)],
        }),
        new PolicyStatement({
          sid: 'ReadTables',
          // order, orders (the ByStatus index), repair, verify (Scan); seed: Scan (reservations), BatchGetItem (orders, inventory)
          actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:Scan'],
          resources: [...allTables, `${tables.orders.tableArn}/index/${ORDERS_BY_STATUS_INDEX}`],
        }),
        new PolicyStatement({
          sid: 'SeedInventory',
          actions: ['dynamodb:BatchWriteItem'],
          resources: [tables.inventory.tableArn],
        }),
        new PolicyStatement({
          sid: 'StartAndRepairOrders',
          // start: the order item RECEIVED (as process-order writes it); repair: the link to its repair execution
          actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
          resources: [tables.orders.tableArn],
        }),
        new PolicyStatement({
          sid: 'SimulatedProviderOutages',
          actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
          resources: [tables.provider.tableArn],
        }),
        new PolicyStatement({
          sid: 'ReadAndRedriveTheDlq',
          actions: [
            'sqs:ReceiveMessage',
            'sqs:ChangeMessageVisibility',
            'sqs:DeleteMessage',
            'sqs:GetQueueAttributes',
          ],
          resources: [props.deadLetterQueue.queueArn],
        }),
        new PolicyStatement({
          sid: 'SendToOrdersQueue',
          actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
          resources: [props.ordersQueue.queueArn],
        }),
        new PolicyStatement({
          sid: 'CountIngestFailures',
          actions: ['sqs:GetQueueAttributes'],
          resources: [props.ingestFailures.queueArn],
        }),
        new PolicyStatement({
          sid: 'UploadOrderFiles',
          actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
          resources: [props.bucket.arnForObjects('incoming/*')],
        }),
        new PolicyStatement({
          sid: 'ReadOrderFilesAndReports',
          actions: ['s3:GetObject'],
          resources: [props.bucket.arnForObjects('incoming/*'), props.bucket.arnForObjects('rejected/*')],
        }),
        new PolicyStatement({
          sid: 'ListOrderFiles',
          actions: ['s3:ListBucket'],
          resources: [props.bucket.bucketArn],
        }),
      ],
    });
    const why = (what: string) => ({
      reason: `${what}: a wildcard inside this stage only, for the CLI's reads and redrives of it.`,
    });
    const prefix = 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:';
    const account = '<AWS::Region>:<AWS::AccountId>';
    acknowledge(
      this.policy,
      ...props.stackNames.map((name) => ({
        id: `${prefix}cloudformation:${account}:stack/${name}/*]`,
        ...why(`the stack ${name} (its id part changes with every creation)`),
      })),
      ...[props.saga, props.repair].map((machine) => ({
        id: `${prefix}states:${account}:execution:${nagRef(this, machine.stateMachineName)}:*]`,
        ...why('the executions of one of its two state machines'),
      })),
      ...['incoming', 'rejected'].map((folder) => ({
        id: `${prefix}s3:::${nagRef(this, props.bucket.bucketName)}/${folder}/*]`,
        ...why(`the order files under ${folder}/ of its ingest bucket`),
      })),
    );
  }
}
