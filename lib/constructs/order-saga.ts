import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Aws, type CfnResource, Duration, Fn, Names, RemovalPolicy } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DEFINITION_METADATA_KEY } from '../contract';
import { acknowledge, nagRef } from '../nag';
import { PROJECT_ROOT } from '../project-root';
import { applyQueueRemovalPolicy } from './order-queues';
import { repairDefinition } from './order-repair';
import type { OrderflowFunction } from './orderflow-function';
import type { SagaTaskKey } from './saga-functions';

export const SAGA_DEFINITION_FILE = 'statemachines/order-saga.asl.json';

/** Executions ending like this were not seen by any Catch: the rule hands them to execution-ended. */
export const UNHANDLED_ENDINGS = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;

/** Prefix AWS recommends for vended-log groups: CloudWatch Logs then needs no per-group resource policy entry. */
const VENDED_LOGS_PREFIX = '/aws/vendedlogs/states/';

export interface OrderSagaProps {
  /** Task functions, keyed by their definition substitution. */
  readonly tasks: Record<SagaTaskKey, OrderflowFunction>;
  /** Receives the execution status changes no Catch handled. */
  readonly executionEnded: OrderflowFunction;
  readonly logLevel: 'ALL' | 'ERROR';
  readonly includeExecutionData: boolean;
  readonly logRetention: RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
  /**
   * What stack deletion does to the endings-failures queue (and its TLS-only policy); RETAIN keeps
   * execution endings nobody has looked at yet. @default RemovalPolicy.DESTROY
   */
  readonly queueRemovalPolicy?: RemovalPolicy;
}

/**
 * The placeholder for the Lambda invoke integration, `arn:<partition>:states:::lambda:invoke`, built
 * from AWS::Partition so the definition holds in every partition (aws, aws-cn, aws-us-gov). The whole
 * ARN is substituted, not just its partition: cfn-lint validates each Task's Resource against an
 * `arn:aws:` pattern and lets through only a value that is one placeholder as a whole.
 */
export const LAMBDA_INVOKE_SUBSTITUTION = 'LambdaInvokeArn';

/** `${Name}` placeholders of an ASL document, which must all be substituted. */
export const substitutionKeysOf = (definition: string): string[] =>
  [...new Set([...definition.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1] ?? ''))].sort();

/**
 * Fails synth when the definition and its substitutions disagree: a `${Key}` left unsubstituted, or
 * an ARN that names its partition instead of taking it from a substitution, would only fail at
 * deploy time (or in another partition).
 */
export const checkSubstitutions = (
  file: string,
  definition: string,
  substitutions: Readonly<Record<string, string>>,
): void => {
  const expected = substitutionKeysOf(definition);
  const provided = Object.keys(substitutions).sort();
  if (expected.join() !== provided.join()) {
    throw new Error(
      `${file} uses substitutions [${expected.join(', ')}] but the saga provides [${provided.join(', ')}]`,
    );
  }
  const literal = /"arn:(aws[a-z-]*):/.exec(definition);
  if (literal) {
    throw new Error(
      `${file} names the partition ${literal[1]} in an ARN: substitute the ARN (built from AWS::Partition) instead`,
    );
  }
};

/**
 * The order saga: a Standard workflow (exactly-once start per name, execution history, redrive;
 * Express would run a repeated name twice and keeps no history) defined by the ASL file, with the
 * task function ARNs and the Lambda invoke integration ARN (hence the partition) substituted in.
 * Endings no Catch sees (execution timeout, abort, runtime errors) reach execution-ended through an
 * EventBridge rule, so every order gets a final status.
 */
export class OrderSaga extends Construct {
  readonly stateMachine: StateMachine;
  /**
   * Runs the steps still owed of an order whose saga execution cannot be redriven (see
   * order-repair.ts); `orderflow repair` starts it, named `<orderId>-repair-<n>`.
   */
  readonly repairMachine: StateMachine;
  readonly logGroup: LogGroup;
  readonly endingsRule: Rule;
  /** Endings the execution-ended function could not take, after EventBridge and Lambda retries. */
  readonly endingsFailures: Queue;
  private readonly repairTasks: readonly OrderflowFunction[];

  constructor(scope: Construct, id: string, props: OrderSagaProps) {
    super(scope, id);

    const definitionPath = path.join(PROJECT_ROOT, SAGA_DEFINITION_FILE);
    const substitutions: Record<string, string> = {
      ...Object.fromEntries(Object.entries(props.tasks).map(([key, fn]) => [key, fn.function.functionArn])),
      [LAMBDA_INVOKE_SUBSTITUTION]: `arn:${Aws.PARTITION}:states:::lambda:invoke`,
    };
    const definition = readFileSync(definitionPath, 'utf8');
    checkSubstitutions(SAGA_DEFINITION_FILE, definition, substitutions);

    // The id part of the stack ARN (arn:...:stack/<name>/<uuid>) is new with every creation of the stack.
    const stackCreation = Fn.select(2, Fn.split('/', Aws.STACK_ID));
    this.logGroup = new LogGroup(this, 'Logs', {
      // A name under the vended-logs prefix has to be chosen; CloudFormation would generate one outside it.
      // The stack id makes it unique per stack creation: prod retains the group on delete, and a fixed
      // name would make re-creating the stack (or retrying a failed first deploy) fail with "already exists".
      logGroupName: `${VENDED_LOGS_PREFIX}${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}-${stackCreation}`,
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      // Inline rather than fromFile (an S3 asset): the template then carries the definition next to its
      // substitutions, which is what the local runtime reads; a deploy uploads nothing extra.
      definitionBody: DefinitionBody.fromString(definition),
      definitionSubstitutions: substitutions,
      tracingEnabled: true,
      logs: {
        destination: this.logGroup,
        level: props.logLevel === 'ALL' ? LogLevel.ALL : LogLevel.ERROR,
        includeExecutionData: props.includeExecutionData,
      },
    });
    for (const fn of Object.values(props.tasks)) fn.function.grantInvoke(this.stateMachine);
    (this.stateMachine.node.defaultChild as CfnResource).addMetadata(
      DEFINITION_METADATA_KEY,
      SAGA_DEFINITION_FILE,
    );

    const repair = repairDefinition(definition);
    const repairKeys = substitutionKeysOf(repair);
    const repairSubstitutions = Object.fromEntries(
      Object.entries(substitutions).filter(([key]) => repairKeys.includes(key)),
    );
    checkSubstitutions(`repair machine built from ${SAGA_DEFINITION_FILE}`, repair, repairSubstitutions);
    this.repairMachine = new StateMachine(this, 'RepairMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromString(repair),
      definitionSubstitutions: repairSubstitutions,
      tracingEnabled: true,
      logs: {
        destination: this.logGroup,
        level: props.logLevel === 'ALL' ? LogLevel.ALL : LogLevel.ERROR,
        includeExecutionData: props.includeExecutionData,
      },
    });
    this.repairTasks = Object.entries(props.tasks)
      .filter(([key]) => repairKeys.includes(key))
      .map(([, fn]) => fn);
    for (const fn of this.repairTasks) fn.function.grantInvoke(this.repairMachine);

    this.endingsFailures = new Queue(this, 'EndingsFailures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    applyQueueRemovalPolicy(this.endingsFailures, props.queueRemovalPolicy ?? RemovalPolicy.DESTROY);
    const executionEnded = props.executionEnded.function;
    executionEnded.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(this.endingsFailures),
    });
    this.endingsRule = new Rule(this, 'UnhandledEndings', {
      description: 'orderflow saga executions that ended FAILED, TIMED_OUT or ABORTED → NEEDS_ATTENTION',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { status: [...UNHANDLED_ENDINGS], stateMachineArn: [this.stateMachine.stateMachineArn] },
      },
      targets: [
        new LambdaFunction(executionEnded, {
          deadLetterQueue: this.endingsFailures,
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });

    this.acknowledgeFindings(props);
  }

  private acknowledgeFindings(props: OrderSagaProps): void {
    const machines = [
      { role: this.stateMachine.role, tasks: Object.values(props.tasks) },
      { role: this.repairMachine.role, tasks: this.repairTasks },
    ];
    for (const { role, tasks } of machines) {
      acknowledge(role, {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Step Functions log delivery (logs:CreateLogDelivery, GetLogDelivery, ListLogDeliveries, ...) and ' +
          'X-Ray (PutTraceSegments, GetSamplingRules, ...) have no resource-level permissions.',
      });
      for (const fn of tasks) {
        acknowledge(role, {
          id: `AwsSolutions-IAM5[Resource::${nagRef(this, fn.function.functionArn)}:*]`,
          reason:
            'grantInvoke adds the qualified form (<function ARN>:*) of this one task function, for versions ' +
            'and aliases; no other function is invocable.',
        });
      }
    }
    acknowledge(this.endingsFailures, {
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter queue: of the EventBridge target and of the execution-ended ' +
        "function's async invocations. A DLQ behind it would never receive anything.",
    });
    if (props.logLevel !== 'ALL') {
      acknowledge(this.repairMachine, {
        id: 'AwsSolutions-SF1',
        reason:
          'prod logs ERROR without execution data on purpose, as the saga does: the input carries payment tokens.',
      });
      acknowledge(this.stateMachine, {
        id: 'AwsSolutions-SF1',
        reason:
          'prod logs ERROR without execution data on purpose: execution input carries payment tokens. ' +
          'A Standard workflow keeps the full history (GetExecutionHistory) for 90 days anyway.',
      });
    }
  }
}
