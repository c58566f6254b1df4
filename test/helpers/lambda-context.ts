import type { Context } from 'aws-lambda';

/** A Lambda context whose deadline is `remainingMs` from its creation. */
export const lambdaContext = (remainingMs = 60_000): Context => {
  const deadline = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'orderflow-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:orderflow-test',
    memoryLimitInMB: '1024',
    awsRequestId: `req-${Math.random().toString(16).slice(2)}`,
    logGroupName: '/aws/lambda/orderflow-test',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};

/**
 * A Lambda context whose clock is the number of times it is asked: `getRemainingTimeInMillis`
 * answers more than `reserveMs` for the first `asks` calls and less from then on. Ingest asks once
 * per record it handles, so an invocation given this context pauses after about `asks` records
 * however busy the machine is: a test of continuations that does not depend on the machine's speed.
 */
export const meteredLambdaContext = (reserveMs: number, asks: number): Context => {
  let asked = 0;
  return {
    ...lambdaContext(reserveMs + asks),
    getRemainingTimeInMillis: () => {
      asked += 1;
      return Math.max(0, reserveMs + asks - asked);
    },
  };
};
