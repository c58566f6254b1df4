import type { Context } from 'aws-lambda';
import type { LocalFunction } from '../derive/types';

/** The data part of a Lambda context: what a sandbox receives with each invocation. */
export type LambdaContextFields = Pick<
  Context,
  | 'functionName'
  | 'functionVersion'
  | 'invokedFunctionArn'
  | 'memoryLimitInMB'
  | 'awsRequestId'
  | 'logGroupName'
  | 'logStreamName'
>;

export const lambdaContextFields = (fn: LocalFunction, requestId: string): LambdaContextFields => {
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  return {
    functionName: fn.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: fn.arn,
    memoryLimitInMB: String(fn.memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${fn.name}`,
    logStreamName: `${day}/[$LATEST]${requestId.replaceAll('-', '')}`,
  };
};

/** A Lambda context: the function's name and ARN, its memory, and the time left until `deadline`. */
export const lambdaContext = (fn: LocalFunction, requestId: string, deadline: number): Context => ({
  ...lambdaContextFields(fn, requestId),
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});
