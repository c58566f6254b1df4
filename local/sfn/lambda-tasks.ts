import { forEachState, isJsonObject, type JsonObject } from './definition';
import { scaledMs, type TimeScale, taskTimeoutMs } from './time-scale';
import type { LambdaHandler } from './types';

/** A Task state that invokes a Lambda function, served by an in-process handler. */
export interface LambdaTask {
  readonly stateName: string;
  /** `invoke`: `arn:aws:states:::lambda:invoke` ({FunctionName, Payload} in, {Payload} out); `function`: a bare function ARN. */
  readonly integration: 'invoke' | 'function';
  /** The Resource after substitution: the function ARN for `function` tasks. */
  readonly resource: string;
  /** As the definition declares it (reported in TaskScheduled). */
  readonly timeoutSeconds?: number;
  /** After time scaling: when the task times out. */
  readonly timeoutMs?: number;
  /** What the handler's `getRemainingTimeInMillis` counts down from (scaled). */
  readonly contextTimeoutMs: number;
}

export interface ResolvedFunction {
  readonly functionArn: string;
  readonly functionName: string;
  readonly handler: LambdaHandler;
}

export type FunctionResolver = (functionNameOrArn: string) => ResolvedFunction | undefined;

const LAMBDA_MAX_TIMEOUT_SECONDS = 900;
const LAMBDA_INVOKE = /^arn:aws[a-z-]*:states:::lambda:invoke$/;
const LAMBDA_FUNCTION = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[^:]+(:[^:]+)?$/;

/** The function name in any form Lambda accepts: name, name:qualifier, partial ARN, full ARN. */
const functionNameOf = (nameOrArn: string): string => {
  const parts = nameOrArn.split(':');
  if (nameOrArn.startsWith('arn:')) return parts[6] ?? nameOrArn;
  if (parts[1] === 'function') return parts[2] ?? nameOrArn;
  return parts[0] ?? nameOrArn;
};

/** Finds the handler for a FunctionName: by exact ARN first, then by function name. */
export const makeFunctionResolver = (handlers: Readonly<Record<string, LambdaHandler>>): FunctionResolver => {
  const byName = new Map<string, ResolvedFunction>();
  for (const [functionArn, handler] of Object.entries(handlers)) {
    const functionName = functionNameOf(functionArn);
    byName.set(functionName, { functionArn, functionName, handler });
  }
  return (functionNameOrArn) => {
    const exact = handlers[functionNameOrArn];
    if (exact)
      return {
        functionArn: functionNameOrArn,
        functionName: functionNameOf(functionNameOrArn),
        handler: exact,
      };
    return byName.get(functionNameOf(functionNameOrArn));
  };
};

const staticFunctionName = (state: JsonObject): string | undefined => {
  const parameters = isJsonObject(state.Parameters) ? state.Parameters : {};
  return typeof parameters.FunctionName === 'string' ? parameters.FunctionName : undefined;
};

/**
 * Lists the Task states and checks that each one invokes a function with a registered handler
 * (a dynamic `FunctionName.$` is checked when it runs). Any other integration is refused: the
 * interpreter would call the real AWS service.
 */
export const collectLambdaTasks = (
  definition: JsonObject,
  resolve: FunctionResolver,
  scale: TimeScale,
): LambdaTask[] => {
  const tasks: LambdaTask[] = [];
  forEachState(definition, (stateName, state) => {
    if (state.Type !== 'Task') return;
    const resource = String(state.Resource);
    const integration = LAMBDA_INVOKE.test(resource)
      ? 'invoke'
      : LAMBDA_FUNCTION.test(resource)
        ? 'function'
        : null;
    if (!integration) {
      throw new Error(`Task state "${stateName}" uses ${resource}; only Lambda tasks can run locally`);
    }
    const functionName = integration === 'function' ? resource : staticFunctionName(state);
    if (functionName !== undefined && !resolve(functionName)) {
      throw new Error(`Task state "${stateName}" invokes ${functionName}, which has no registered handler`);
    }
    const timeoutSeconds = typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : undefined;
    const timeoutMs = timeoutSeconds === undefined ? undefined : taskTimeoutMs(timeoutSeconds, scale);
    tasks.push({
      stateName,
      integration,
      resource,
      ...(timeoutSeconds === undefined ? {} : { timeoutSeconds, timeoutMs }),
      // Without a task timeout, the function's own timeout applies; Lambda's maximum stands in for it.
      contextTimeoutMs: timeoutMs ?? scaledMs(LAMBDA_MAX_TIMEOUT_SECONDS, scale.factor),
    });
  });
  return tasks;
};
