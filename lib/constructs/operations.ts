import { ArnFormat, Aws, Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** EMF metric record-outcome and execution-ended emit (Powertools, dimension `service`). */
export const NEEDS_ATTENTION_METRIC = 'OrdersNeedingAttention';
export const METRICS_NAMESPACE = 'orderflow';

/** Where each alarm's runbook entry is: every alarm description ends with `Runbook: <this>#<anchor>`. */
export const RUNBOOK_PATH = 'docs/runbook.md';

export interface MonitoredFunction {
  readonly fn: IFunction;
  /**
   * Whether any error of this function is an incident. Forward saga steps throw business errors
   * (OutOfStock, PaymentDeclined) that are outcomes, so only their throttles alarm.
   */
  readonly errorsAreIncidents: boolean;
}

/** EMF metric attention-age emits hourly: orders NEEDS_ATTENTION for 10 days or more. */
export const NEAR_REDRIVE_LIMIT_METRIC = 'OrdersNearRedriveLimit';

export interface OperationsProps {
  readonly stateMachine: StateMachine;
  /** The order-repair machine (`orderflow repair`): its executions that fail alarm too. */
  readonly repairMachine: StateMachine;
  /**
   * Counts the orders NEEDS_ATTENTION for 10 days or more (its POWERTOOLS_SERVICE_NAME is its
   * metric's `service`); run hourly by a schedule rule here.
   */
  readonly attentionAge: { readonly fn: IFunction; readonly service: string };
  readonly ordersQueue: IQueue;
  readonly deadLetterQueue: IQueue;
  /** Queues holding events a function could not take at all (async-invoke / rule DLQs). */
  readonly failureQueues: Record<string, IQueue>;
  readonly functions: Record<string, MonitoredFunction>;
  /** Services whose OrdersNeedingAttention metric counts (their POWERTOOLS_SERVICE_NAME). */
  readonly needsAttentionServices: readonly string[];
  readonly dlqOldestMessageAge: Duration;
  /**
   * Age of the oldest message on orders.fifo that means the queue is not draining: process-order
   * down or throttled, or a message group held back behind a failing message. @default 15 minutes
   */
  readonly ordersOldestMessageAge?: Duration;
  readonly period: Duration;
  readonly evaluationPeriods: number;
  readonly keyRemovalPolicy: RemovalPolicy;
}

/**
 * Alarms (all publishing to the alerts topic) and one dashboard: saga and repair executions that
 * failed, timed out or were aborted, orders needing attention, the oldest message on orders.fifo, a non-empty DLQ
 * and its oldest message, failure queues, and function errors / throttles.
 */
export class Operations extends Construct {
  readonly alerts: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;
  readonly needsAttention: IMetric;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const { period } = props;

    // CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key: a customer key
    // whose policy lets CloudWatch use it.
    const key = new Key(this, 'AlertsKey', {
      description: 'orderflow alerts topic encryption',
      enableKeyRotation: true,
      removalPolicy: props.keyRemovalPolicy,
    });
    this.alerts = new Topic(this, 'Alerts', {
      displayName: 'orderflow alerts',
      masterKey: key,
      enforceSSL: true,
    });
    this.allowAlarmsToPublish(key);
    const action = new SnsAction(this.alerts);

    // An infra test fails when an alarm's runbook anchor has no entry in docs/runbook.md.
    const alarm = (
      alarmId: string,
      metric: IMetric,
      threshold: number,
      description: string,
      runbookAnchor: string,
      evaluationPeriods = props.evaluationPeriods,
    ) => {
      const created = new Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `${description}. Runbook: ${RUNBOOK_PATH}#${runbookAnchor}`,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      this.alarms.push(created);
      return created;
    };
    const sum = { period, statistic: 'Sum' };
    const max = { period, statistic: 'Maximum' };

    const endingsOf = (machine: StateMachine) => ({
      Failed: machine.metricFailed(sum),
      TimedOut: machine.metricTimedOut(sum),
      Aborted: machine.metricAborted(sum),
    });
    const sm = props.stateMachine;
    // A repair execution's ending changes no order (the execution-ended rule watches the saga only):
    // the order stays NEEDS_ATTENTION, and only the Repair alarms say the repair did not settle it.
    const machines = [
      {
        id: 'Saga',
        machine: props.stateMachine,
        name: 'order saga',
        after: 'the order is NEEDS_ATTENTION',
        runbook: 'saga-executions-failed-timed-out-or-aborted',
      },
      {
        id: 'Repair',
        machine: props.repairMachine,
        name: 'order repair',
        after: 'the order is still NEEDS_ATTENTION',
        runbook: 'repair-executions-failed-timed-out-or-aborted',
      },
    ];
    for (const { id, machine, name, after, runbook } of machines) {
      for (const [status, metric] of Object.entries(endingsOf(machine))) {
        alarm(`${id}Executions${status}`, metric, 1, `${name} executions ${status}: ${after}`, runbook);
      }
    }

    this.needsAttention = new MathExpression({
      label: NEEDS_ATTENTION_METRIC,
      period,
      expression: props.needsAttentionServices.map((_, i) => `FILL(s${i}, 0)`).join(' + '),
      usingMetrics: Object.fromEntries(
        props.needsAttentionServices.map((service, i) => [
          `s${i}`,
          new Metric({
            namespace: METRICS_NAMESPACE,
            metricName: NEEDS_ATTENTION_METRIC,
            dimensionsMap: { service },
            ...sum,
          }),
        ]),
      ),
    });
    alarm(
      'OrdersNeedingAttention',
      this.needsAttention,
      1,
      'orders set to NEEDS_ATTENTION: repair each with `orderflow repair <orderId>`',
      'orders-needing-attention',
    );

    // A redrive is refused 14 days after the execution stopped: 10 days leave time to repair by redrive.
    new Rule(this, 'AttentionAgeSchedule', {
      description:
        'orderflow: count orders NEEDS_ATTENTION for 10 days or more (OrdersNearRedriveLimit), hourly',
      schedule: Schedule.rate(Duration.hours(1)),
      targets: [new LambdaFunction(props.attentionAge.fn, { retryAttempts: 2 })],
    });
    const nearRedriveLimit = new Metric({
      namespace: METRICS_NAMESPACE,
      metricName: NEAR_REDRIVE_LIMIT_METRIC,
      dimensionsMap: { service: props.attentionAge.service },
      period: Duration.hours(1),
      statistic: 'Maximum',
    });
    // No data means the hourly count did not run: the AttentionAgeErrors alarm says so.
    alarm(
      'OrdersNearRedriveLimit',
      nearRedriveLimit,
      1,
      'orders NEEDS_ATTENTION for 10 days or more: repair them before the 14-day redrive limit',
      'orders-near-redrive-limit',
      1,
    );
    alarm(
      'AttentionAgeErrors',
      props.attentionAge.fn.metricErrors(sum),
      1,
      'the hourly count of orders nearing the redrive limit fails',
      'function-errors',
    );

    alarm(
      'OrdersOldestMessage',
      props.ordersQueue.metricApproximateAgeOfOldestMessage(max),
      (props.ordersOldestMessageAge ?? Duration.minutes(15)).toSeconds(),
      'a message has waited on orders.fifo longer than the stage allows: is process-order running, is a group stuck?',
      'orders-queue-oldest-message',
    );

    const dlq = props.deadLetterQueue;
    alarm(
      'OrdersDlqNotEmpty',
      dlq.metricApproximateNumberOfMessagesVisible(max),
      1,
      'orders-dlq.fifo holds messages: inspect and redrive with the orderflow CLI',
      'orders-dlq-not-empty',
    );
    alarm(
      'OrdersDlqOldestMessage',
      dlq.metricApproximateAgeOfOldestMessage(max),
      props.dlqOldestMessageAge.toSeconds(),
      'a message has waited in orders-dlq.fifo longer than the stage allows',
      'orders-dlq-oldest-message',
    );
    for (const [name, queue] of Object.entries(props.failureQueues)) {
      alarm(
        `${name}NotEmpty`,
        queue.metricApproximateNumberOfMessagesVisible(max),
        1,
        `${name}: events a function could not take after its retries`,
        'failure-queue-not-empty',
      );
    }

    for (const [name, { fn, errorsAreIncidents }] of Object.entries(props.functions)) {
      alarm(`${name}Throttles`, fn.metricThrottles(sum), 1, `${name} is throttled`, 'function-throttles');
      if (errorsAreIncidents) {
        alarm(`${name}Errors`, fn.metricErrors(sum), 1, `${name} fails`, 'function-errors');
      }
    }

    this.dashboard = new Dashboard(this, 'Dashboard', {
      widgets: [
        [
          new GraphWidget({
            title: 'Saga executions',
            left: [sm.metricStarted(sum), sm.metricSucceeded(sum), ...Object.values(endingsOf(sm))],
            width: 12,
          }),
          new GraphWidget({ title: 'Orders needing attention', left: [this.needsAttention], width: 12 }),
        ],
        [
          new GraphWidget({
            title: 'orders.fifo',
            left: [props.ordersQueue.metricApproximateNumberOfMessagesVisible(max)],
            right: [props.ordersQueue.metricApproximateAgeOfOldestMessage(max)],
            width: 12,
          }),
          new GraphWidget({
            title: 'orders-dlq.fifo',
            left: [dlq.metricApproximateNumberOfMessagesVisible(max)],
            right: [dlq.metricApproximateAgeOfOldestMessage(max)],
            width: 12,
          }),
        ],
        [
          new GraphWidget({
            title: 'Function errors (left) and throttles (right)',
            left: Object.entries(props.functions).map(([name, { fn }]) =>
              fn.metricErrors({ ...sum, label: name }),
            ),
            right: Object.entries(props.functions).map(([name, { fn }]) =>
              fn.metricThrottles({ ...sum, label: name }),
            ),
            width: 24,
          }),
        ],
        [new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 })],
      ],
    });
  }

  /**
   * A topic policy replaces SNS's default policy, and enforceSSL gives the topic one: without a
   * statement for CloudWatch, every alarm action would be refused. CloudWatch publishes as the
   * service principal, so both grants carry the confused-deputy conditions AWS recommends: only on
   * behalf of an alarm of this account and region (alarm names are generated, hence `alarm:*`).
   */
  private allowAlarmsToPublish(key: Key): void {
    const cloudWatch = new ServicePrincipal('cloudwatch.amazonaws.com');
    const alarms = Stack.of(this).formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const ownAlarmsOnly = {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: { 'aws:SourceArn': alarms },
    };
    this.alerts.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [this.alerts.topicArn],
        conditions: ownAlarmsOnly,
      }),
    );
    // Publishing to an encrypted topic makes the publisher generate and decrypt data keys.
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToUseTheKey',
        principals: [cloudWatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: ownAlarmsOnly,
      }),
    );
  }
}
