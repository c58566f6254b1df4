import { CfnResource, type IAspect, Stack } from 'aws-cdk-lib';
import { CfnAlias, CfnEventSourceMapping, CfnFunction, CfnVersion } from 'aws-cdk-lib/aws-lambda';
import { CfnQueue } from 'aws-cdk-lib/aws-sqs';
import { CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { IConstruct } from 'constructs';

/** SQS and Lambda defaults that apply when the template leaves a property out. */
const DEFAULT_VISIBILITY_TIMEOUT_S = 30;
const DEFAULT_FUNCTION_TIMEOUT_S = 3;
const VISIBILITY_FACTOR = 6;

/**
 * What a consumer may add to a message when it dead-letters it itself. process-order sends a
 * permanent failure straight to the DLQ with errorType, errorReason (cut at 1 KiB), failedAt,
 * correlationId (<bucket>/<key>#<line>, up to ~1.1 KB for a 1,024-byte S3 key) and sourceMessageId:
 * under 2.5 KB with names and data types (test/infra/dead-letter-headroom.test.ts measures it).
 */
export const DLQ_ATTRIBUTE_HEADROOM_BYTES = 8 * 1024;

/**
 * How much longer a saga task's TimeoutSeconds must be than its function's timeout: Lambda stops the
 * function (Sandbox.Timedout) before Step Functions gives up on the task (States.Timeout) and moves
 * on, to a retry or a compensation. Otherwise a step would keep writing while its compensation runs.
 */
export const TASK_TIMEOUT_MARGIN_S = 5;

/**
 * Synth-time guardrails for the SQS → Lambda paths. Added as an Aspect on the app, it attaches a
 * validation to every stack, so `app.synth()` / `cdk synth` fails with every violation listed:
 *  (a) a queue's visibility timeout is shorter than 6 × the consuming function's timeout plus the
 *      mapping's batching window (AWS's guidance: otherwise a message still being retried inside one
 *      invocation becomes visible and is processed twice);
 *  (b) a FIFO queue redrives to a standard DLQ, or a standard queue to a FIFO DLQ (SQS rejects it at
 *      deploy time; failing at synth is cheaper);
 *  (c) an SQS event source mapping without ReportBatchItemFailures (one bad message would make the
 *      whole batch, and for FIFO its groups, be retried);
 *  (d) a queue with a maximum message size whose DLQ cannot take that size plus the error attributes
 *      a consumer adds when it dead-letters a message itself (the send would fail, and the message
 *      would block its group until maxReceiveCount). A DLQ left at the SQS default counts as too small;
 *  (e) a state machine Task invoking one of the stack's functions without a TimeoutSeconds that exceeds
 *      the function's timeout by TASK_TIMEOUT_MARGIN_S (a step must not outlive its task).
 * The checks read the L1 resources, so they also see what escape hatches changed.
 */
export class Guardrails implements IAspect {
  private readonly guarded = new WeakSet<Stack>();

  visit(node: IConstruct): void {
    if (!Stack.isStack(node) || this.guarded.has(node)) return;
    this.guarded.add(node);
    node.node.addValidation({ validate: () => checkStack(node) });
  }
}

type Resolved = unknown;

/** The logical id a `Ref` or `Fn::GetAtt` points at, if the value is one. */
const referencedLogicalId = (resolved: Resolved): string | undefined => {
  if (typeof resolved !== 'object' || resolved === null) return undefined;
  const record = resolved as Record<string, unknown>;
  if (typeof record.Ref === 'string') return record.Ref;
  const getAtt = record['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  return undefined;
};

export const checkStack = (stack: Stack): string[] => {
  const resources = stack.node
    .findAll()
    .filter((c): c is CfnResource => CfnResource.isCfnResource(c) && Stack.of(c) === stack);
  const byLogicalId = new Map<string, CfnResource>(resources.map((r) => [stack.resolve(r.logicalId), r]));
  const target = (value: unknown): CfnResource | undefined => {
    const id = referencedLogicalId(stack.resolve(value));
    return id === undefined ? undefined : byLogicalId.get(id);
  };
  const functionBehind = (value: unknown): CfnFunction | undefined => {
    let resource = target(value);
    // Mappings may point at an alias or a version; follow to the function (at most two hops).
    for (let hop = 0; hop < 2 && resource !== undefined && !(resource instanceof CfnFunction); hop++) {
      if (resource instanceof CfnAlias || resource instanceof CfnVersion)
        resource = target(resource.functionName);
      else return undefined;
    }
    return resource instanceof CfnFunction ? resource : undefined;
  };
  const isFifo = (queue: CfnQueue) => stack.resolve(queue.fifoQueue) === true;
  const path = (r: CfnResource) => r.node.path;

  const errors: string[] = [];

  for (const queue of resources.filter((r): r is CfnQueue => r instanceof CfnQueue)) {
    const redrive = stack.resolve(queue.redrivePolicy) as { deadLetterTargetArn?: unknown } | undefined;
    if (redrive?.deadLetterTargetArn === undefined) continue;
    const dlq = target(redrive.deadLetterTargetArn);
    const dlqArn = redrive.deadLetterTargetArn;
    const dlqFifo =
      dlq instanceof CfnQueue
        ? isFifo(dlq)
        : typeof dlqArn === 'string'
          ? dlqArn.endsWith('.fifo')
          : undefined;
    if (dlqFifo !== undefined && dlqFifo !== isFifo(queue)) {
      errors.push(
        `guardrail: ${isFifo(queue) ? 'FIFO' : 'standard'} queue ${path(queue)} redrives to a ` +
          `${dlqFifo ? 'FIFO' : 'standard'} dead-letter queue ${dlq ? path(dlq) : String(dlqArn)}; ` +
          'a FIFO queue needs a FIFO DLQ and a standard queue a standard one',
      );
    }
    const sourceMax = stack.resolve(queue.maximumMessageSize) as number | undefined;
    if (typeof sourceMax === 'number' && dlq instanceof CfnQueue) {
      const dlqMax = stack.resolve(dlq.maximumMessageSize) as number | undefined;
      if (typeof dlqMax !== 'number' || dlqMax < sourceMax + DLQ_ATTRIBUTE_HEADROOM_BYTES) {
        errors.push(
          `guardrail: dead-letter queue ${path(dlq)} accepts messages of up to ${dlqMax ?? 'the SQS default'} ` +
            `bytes, below the ${sourceMax} bytes ${path(queue)} accepts + ${DLQ_ATTRIBUTE_HEADROOM_BYTES} bytes ` +
            'for the error attributes a consumer adds when it dead-letters a message (SQS allows up to 1,048,576)',
        );
      }
    }
  }

  for (const mapping of resources.filter(
    (r): r is CfnEventSourceMapping => r instanceof CfnEventSourceMapping,
  )) {
    const sourceArn = stack.resolve(mapping.eventSourceArn);
    const queue = target(mapping.eventSourceArn);
    const isSqs = queue instanceof CfnQueue || (typeof sourceArn === 'string' && sourceArn.includes(':sqs:'));
    if (!isSqs) continue;

    const responseTypes = stack.resolve(mapping.functionResponseTypes) as unknown;
    if (!Array.isArray(responseTypes) || !responseTypes.includes('ReportBatchItemFailures')) {
      errors.push(
        `guardrail: SQS event source mapping ${path(mapping)} lacks ReportBatchItemFailures; ` +
          'set reportBatchItemFailures: true so one failing message does not fail its whole batch',
      );
    }

    const fn = functionBehind(mapping.functionName);
    if (!(queue instanceof CfnQueue) || fn === undefined) continue;
    const visibility =
      (stack.resolve(queue.visibilityTimeout) as number | undefined) ?? DEFAULT_VISIBILITY_TIMEOUT_S;
    const timeout = (stack.resolve(fn.timeout) as number | undefined) ?? DEFAULT_FUNCTION_TIMEOUT_S;
    const window = (stack.resolve(mapping.maximumBatchingWindowInSeconds) as number | undefined) ?? 0;
    const required = VISIBILITY_FACTOR * timeout + window;
    if (visibility < required) {
      errors.push(
        `guardrail: queue ${path(queue)} has a visibility timeout of ${visibility} s, below ` +
          `${VISIBILITY_FACTOR} × ${timeout} s (timeout of ${path(fn)}) + ${window} s batching window = ${required} s`,
      );
    }
  }
  for (const machine of resources.filter((r): r is CfnStateMachine => r instanceof CfnStateMachine)) {
    errors.push(...checkTaskTimeouts(stack, machine, (value) => functionBehind(value), path(machine)));
  }
  return errors;
};

interface TaskState {
  readonly Type?: string;
  readonly TimeoutSeconds?: number;
  readonly Parameters?: { readonly FunctionName?: unknown };
  readonly Resource?: unknown;
  readonly Branches?: readonly { readonly States?: Record<string, TaskState> }[];
  readonly ItemProcessor?: { readonly States?: Record<string, TaskState> };
  readonly Iterator?: { readonly States?: Record<string, TaskState> };
}

/** Every Task state, nested Parallel branches and Map processors included. */
const taskStatesOf = (states: Record<string, TaskState> | undefined): [string, TaskState][] =>
  Object.entries(states ?? {}).flatMap(([name, state]) => [
    ...(state.Type === 'Task' ? [[name, state] as [string, TaskState]] : []),
    ...(state.Branches ?? []).flatMap((branch) => taskStatesOf(branch.States)),
    ...taskStatesOf(state.ItemProcessor?.States ?? state.Iterator?.States),
  ]);

/** (e): the definition is a string with `${Key}` placeholders; the substitutions name the functions. */
const checkTaskTimeouts = (
  stack: Stack,
  machine: CfnStateMachine,
  functionOf: (value: unknown) => CfnFunction | undefined,
  where: string,
): string[] => {
  const text = stack.resolve(machine.definitionString) as unknown;
  if (typeof text !== 'string') return [];
  const substitutions = (stack.resolve(machine.definitionSubstitutions) ?? {}) as Record<string, unknown>;
  let definition: { States?: Record<string, TaskState> };
  try {
    definition = JSON.parse(text) as { States?: Record<string, TaskState> };
  } catch {
    return [];
  }
  const errors: string[] = [];
  for (const [name, task] of taskStatesOf(definition.States)) {
    const reference = String(task.Parameters?.FunctionName ?? task.Resource ?? '');
    const key = /^\$\{([A-Za-z0-9_]+)\}$/.exec(reference)?.[1];
    const fn = key === undefined ? undefined : functionOf(substitutions[key]);
    if (fn === undefined) continue;
    const functionTimeout = (stack.resolve(fn.timeout) as number | undefined) ?? DEFAULT_FUNCTION_TIMEOUT_S;
    const required = functionTimeout + TASK_TIMEOUT_MARGIN_S;
    if (task.TimeoutSeconds === undefined || task.TimeoutSeconds < required) {
      errors.push(
        `guardrail: task ${name} of ${where} times out after ${task.TimeoutSeconds ?? 'no'} s, but its function ` +
          `${fn.node.path} may run ${functionTimeout} s: give the task at least ${required} s ` +
          `(${TASK_TIMEOUT_MARGIN_S} s margin) so Lambda stops the step before Step Functions moves on`,
      );
    }
  }
  return errors;
};
