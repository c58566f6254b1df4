import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { ResolvedFunction } from './lambda-tasks';

export interface InvocationScope {
  readonly region: string;
  readonly accountId: string;
}

const functionArnOf = (fn: ResolvedFunction, scope: InvocationScope): string =>
  fn.functionArn.startsWith('arn:')
    ? fn.functionArn
    : `arn:aws:lambda:${scope.region}:${scope.accountId}:function:${fn.functionName}`;

/** A Lambda context for an in-process invocation; the remaining time counts down to `deadline` (epoch ms). */
export const makeLambdaContext = (
  fn: ResolvedFunction,
  scope: InvocationScope,
  deadline: number,
): Context => {
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArnOf(fn, scope),
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${fn.functionName}`,
    logStreamName: `${day}/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};
