import type { Context, EventBridgeEvent } from 'aws-lambda';
import type { RunningLimit } from './running-limit';

interface LambdaHandlerShape {
  // Method syntax on purpose: TypeScript checks method parameters bivariantly, so a handler typed
  // for its own event (`(event: ReserveInput, context) => ...`) registers without a cast.
  handle(payload: unknown, context: Context): unknown;
}

/** An in-process Lambda handler. Its return value (or promise) becomes the function's response payload. */
export type LambdaHandler = LambdaHandlerShape['handle'];

/** A state machine served by the local endpoint, as the CDK would deploy it. */
export interface LocalStateMachine {
  /** The state machine's name; its ARN is `arn:aws:states:<region>:<account>:stateMachine:<name>`. */
  readonly name: string;
  /** The Amazon States Language definition, as raw JSON text with `${Key}` placeholders. */
  readonly definition: string;
  /** Values for the definition's `${Key}` placeholders (CloudFormation's `DefinitionSubstitutions`). @default none */
  readonly substitutions?: Readonly<Record<string, string>>;
  /** In-process handlers keyed by Lambda function ARN; Task states that invoke these functions call them. */
  readonly lambdaHandlers: Readonly<Record<string, LambdaHandler>>;
  /** Reported in `$$.Execution.RoleArn` and DescribeStateMachine. @default `arn:aws:iam::<account>:role/<name>-role` */
  readonly roleArn?: string;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export type RedriveStatus = 'REDRIVABLE' | 'NOT_REDRIVABLE';

/** The `detail` of EventBridge's "Step Functions Execution Status Change" event (dates in epoch milliseconds). */
export interface ExecutionStatusChangeDetail {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly startDate: number;
  readonly stopDate: number | null;
  readonly input: string;
  readonly inputDetails: { readonly included: boolean };
  readonly output: string | null;
  readonly outputDetails: { readonly included: boolean } | null;
  readonly error: string | null;
  readonly cause: string | null;
  readonly redriveCount: number;
  readonly redriveDate: number | null;
  readonly redriveStatus: RedriveStatus;
  readonly redriveStatusReason: string | null;
}

export type ExecutionStatusChangeEvent = EventBridgeEvent<
  'Step Functions Execution Status Change',
  ExecutionStatusChangeDetail
>;

/** What the endpoint knows about an execution, as DescribeExecution reports it. */
export interface ExecutionDescription {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly startDate: Date;
  readonly stopDate?: Date;
  readonly input: string;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
  /** How many times RedriveExecution restarted it. */
  readonly redriveCount: number;
  readonly redriveDate?: Date;
  readonly redriveStatus: RedriveStatus;
  /** Why it cannot be redriven, in DescribeExecution's words, when NOT_REDRIVABLE. */
  readonly redriveStatusReason?: string;
}

export interface LocalStepFunctionsLogger {
  error(message: string, ...details: unknown[]): void;
}

export interface LocalStepFunctionsOptions {
  /** @default an ephemeral port */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '000000000000' */
  readonly accountId?: string;
  /**
   * Multiplies every duration the definitions declare: retry intervals (and MaxDelaySeconds),
   * Wait `Seconds`, Task `TimeoutSeconds` and the execution's `TimeoutSeconds`. Tests pass e.g. 0.01.
   * @default 1 (the definition's real timing)
   */
  readonly timeScale?: number;
  /**
   * A scaled Task timeout never drops below this (nor above the definition's own): work does not get
   * faster with the clock. @default 0 (scaled like every other duration)
   */
  readonly minTaskTimeoutSeconds?: number;
  /**
   * Executions that run their states at once, fixed or moving (see ResponsiveLimit); later ones wait,
   * RUNNING to the API. @default no limit
   */
  readonly maxRunningExecutions?: number | RunningLimit;
  readonly stateMachines: readonly LocalStateMachine[];
  /**
   * Receives an event shaped like EventBridge's "Step Functions Execution Status Change" for
   * RUNNING and every ending. Awaited; a listener that throws is logged and never stops the endpoint.
   * @default none
   */
  readonly onExecutionStatusChange?: (event: ExecutionStatusChangeEvent) => unknown;
  /**
   * The endpoint's clock for start, stop and redrive dates and the 14-day redrive period; tests move
   * it forward instead of waiting. @default the system clock
   */
  readonly clock?: () => Date;
  /**
   * The history-event limit past which RedriveExecution is refused ("Execution history event limit
   * exceeded."), as AWS's 25,000; tests lower it instead of running thousands of states. @default 25,000
   */
  readonly maxHistoryEvents?: number;
  /** Where listener failures and internal errors go. @default console */
  readonly logger?: LocalStepFunctionsLogger;
}

export interface LocalStepFunctions {
  /** e.g. `http://127.0.0.1:41234`: pass it as the SFN client's `endpoint` or the CLI's `--endpoint-url`. */
  readonly endpoint: string;
  readonly port: number;
  /** The ARN of a registered state machine; throws for a name that was not registered. */
  stateMachineArn(name: string): string;
  /** Resolves once the execution (its current attempt, after a redrive) has ended and its status change event has been delivered. */
  waitForExecution(executionArn: string): Promise<ExecutionDescription>;
  /** Aborts running executions (without status change events), clears their timers and closes the server. */
  stop(): Promise<void>;
}
