'use strict';
// Lambda's Node.js runtime, as far as the local runtime needs it, inside one bundled function's
// sandbox: local/lambda/sandbox.ts forks this file with the function's asset directory as the
// working directory and exactly the function's environment. Only Node.js built-ins here: the
// sandbox has no node_modules, and nothing may come from the repository's.
//
// Like Lambda's bootstrap it loads the handler named by _HANDLER from LAMBDA_TASK_ROOT (the Init
// phase), then runs the invocations it receives over IPC and answers with the result or with the
// error as Lambda reports it ({errorType, errorMessage, trace}). An uncaught exception or an
// unhandled rejection fails the invocations in flight and ends the process with the exit codes
// Lambda's runtime interface client uses (129, 128); the parent then starts a fresh sandbox.
// Source: aws/aws-lambda-nodejs-runtime-interface-client, src/index.mjs, src/Runtime.js, src/Errors.js.
const path = require('node:path');

/** An error as Lambda's runtime reports it (Errors.toRapidResponse). */
const toPayload = (error) => {
  if (error instanceof Error) {
    return {
      errorType: error.name,
      errorMessage: error.message,
      trace: String(error.stack ?? '').split('\n'),
    };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
};

const named = (name, message) => Object.assign(new Error(message), { name });

const send = (message) =>
  new Promise((resolve) => {
    if (!process.connected) return resolve();
    try {
      process.send(message, () => resolve());
    } catch (error) {
      // A result JSON cannot carry (a BigInt, a cycle) fails its invocation, as Lambda's would.
      process.send({ ...message, value: undefined, error: toPayload(error) }, () => resolve());
    }
  });

const fail = async (message, exitCode) => {
  await send(message);
  process.exit(exitCode);
};

/** Init: `index.handler` → export `handler` of LAMBDA_TASK_ROOT/index. */
const loadHandler = () => {
  const name = process.env._HANDLER ?? 'index.handler';
  const dot = name.lastIndexOf('.');
  const modulePath = path.resolve(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), name.slice(0, dot));
  let loaded;
  try {
    loaded = require(modulePath);
  } catch (error) {
    if (error instanceof SyntaxError) throw named('Runtime.UserCodeSyntaxError', String(error));
    if (error?.code === 'MODULE_NOT_FOUND') throw named('Runtime.ImportModuleError', String(error));
    throw error;
  }
  const handler = loaded?.[name.slice(dot + 1)];
  if (typeof handler !== 'function')
    throw named('Runtime.HandlerNotFound', `${name} is undefined or not exported`);
  return handler;
};

const invoke = async (handler, { requestId, event, deadline, context: fields }) => {
  const context = {
    ...fields,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  try {
    const value = await handler(event, context);
    await send({ type: 'result', requestId, value: value ?? null });
  } catch (error) {
    await send({ type: 'result', requestId, error: toPayload(error) });
  }
};

process.on('uncaughtException', (error) => {
  console.error('Uncaught Exception', error);
  void fail({ type: 'crash', error: toPayload(error) }, 129);
});
process.on('unhandledRejection', (reason) => {
  const error = named('Runtime.UnhandledPromiseRejection', String(reason));
  console.error('Unhandled Promise Rejection', error);
  void fail({ type: 'crash', error: toPayload(error) }, 128);
});
// The parent stops the sandbox; a Ctrl-C in the terminal is the parent's to handle, not the function's.
process.on('SIGINT', () => undefined);
// The parent is gone (stopped, or killed without a chance to stop its sandboxes): so is the sandbox.
process.on('disconnect', () => process.exit(0));

let handler;
try {
  handler = loadHandler();
} catch (error) {
  console.error('Init Error', error);
  void fail({ type: 'init-error', error: toPayload(error) }, 129);
}
if (handler !== undefined) {
  process.on('message', (message) => {
    if (message?.type === 'invoke') void invoke(handler, message);
  });
  void send({ type: 'ready', nodeVersion: process.version });
}
