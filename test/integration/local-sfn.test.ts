import { createHook } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  InvalidArn,
  InvalidExecutionInput,
  InvalidName,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import {
  type ExecutionStatusChangeEvent,
  type LocalStateMachine,
  type LocalStepFunctions,
  startLocalStepFunctions,
} from '../../local/sfn';
import { uniqueName } from '../helpers/names';

const TIME_SCALE = 0.01;
const fixture = (name: string): string => readFileSync(join(__dirname, '../fixtures/sfn', name), 'utf8');
const functionArn = (name: string): string => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

class NamedError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** A one-shot signal: the handlers and the test meet on these instead of sleeping. */
const makeSignal = () => {
  let fire = (): void => undefined;
  const fired = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return { fired, fire };
};

const holds = new Map<
  string,
  { entered: ReturnType<typeof makeSignal>; release: ReturnType<typeof makeSignal> }
>();
const holdFor = (key: string) => {
  const existing = holds.get(key);
  if (existing) return existing;
  const created = { entered: makeSignal(), release: makeSignal() };
  holds.set(key, created);
  return created;
};

const chargeAttempts = new Map<string, number>();
const shipContexts = new Map<string, number>();

const handlers = {
  greet: async (payload: { who: string; executionName: string; executionId: string }) => ({
    greeting: `hello ${payload.who} from ${payload.executionName} (${payload.executionId})`,
  }),
  charge: async (payload: { orderId: string; token: string }) => {
    const attempt = (chargeAttempts.get(payload.orderId) ?? 0) + 1;
    chargeAttempts.set(payload.orderId, attempt);
    if (payload.token === 'tok_decline') throw new NamedError('PaymentDeclined', 'card declined');
    if (payload.token === 'tok_down' || (payload.token === 'tok_flaky' && attempt < 3)) {
      throw new NamedError('PaymentGatewayError', `gateway unavailable (attempt ${attempt})`);
    }
    return { orderId: payload.orderId, charged: true, attempts: attempt };
  },
  ship: async (payload: { key: string; mode: 'fast' | 'slow' | 'broken' }, context: Context) => {
    shipContexts.set(payload.key, context.getRemainingTimeInMillis());
    if (payload.mode === 'broken') throw new NamedError('ShippingError', 'no carrier serves this address');
    if (payload.mode === 'slow') await holdFor(payload.key).release.fired;
    return { shipped: payload.key };
  },
  hold: async (payload: { key: string }) => {
    const hold = holdFor(payload.key);
    hold.entered.fire();
    await hold.release.fired;
    return { released: payload.key };
  },
  echo: async (payload: unknown) => ({ echoed: payload }),
};

const stateMachines: LocalStateMachine[] = [
  {
    name: 'greet',
    definition: fixture('greet.asl.json'),
    substitutions: { GreetFunctionArn: functionArn('greet') },
    lambdaHandlers: { [functionArn('greet')]: handlers.greet },
  },
  {
    name: 'charge',
    definition: fixture('charge.asl.json'),
    substitutions: { ChargeFunctionArn: functionArn('charge') },
    lambdaHandlers: { [functionArn('charge')]: handlers.charge },
  },
  {
    name: 'ship',
    definition: fixture('ship.asl.json'),
    substitutions: { ShipFunctionArn: functionArn('ship') },
    lambdaHandlers: { [functionArn('ship')]: handlers.ship },
  },
  {
    name: 'hold',
    definition: fixture('hold.asl.json'),
    substitutions: { HoldFunctionArn: functionArn('hold') },
    lambdaHandlers: { [functionArn('hold')]: handlers.hold },
  },
  {
    name: 'expiring-hold',
    definition: fixture('expiring-hold.asl.json'),
    substitutions: { HoldFunctionArn: functionArn('hold') },
    lambdaHandlers: { [functionArn('hold')]: handlers.hold },
  },
  {
    name: 'fan-out',
    definition: fixture('fan-out.asl.json'),
    substitutions: { EchoFunctionArn: functionArn('echo') },
    lambdaHandlers: { [functionArn('echo')]: handlers.echo },
  },
];

const makeClient = (endpoint: string): SFNClient =>
  new SFNClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

/** Polls like a user would, with a deadline; the interval only paces the polling. */
const poll = async <T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> => {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

let sfn: LocalStepFunctions;
let client: SFNClient;
const statusEvents: ExecutionStatusChangeEvent[] = [];

const start = async (machine: string, input: unknown, name?: string): Promise<string> => {
  const started = await client.send(
    new StartExecutionCommand({
      stateMachineArn: sfn.stateMachineArn(machine),
      name,
      input: JSON.stringify(input),
    }),
  );
  return started.executionArn ?? '';
};

const describeExecution = (executionArn: string): Promise<DescribeExecutionCommandOutput> =>
  client.send(new DescribeExecutionCommand({ executionArn }));

const waitForEnd = (executionArn: string): Promise<DescribeExecutionCommandOutput> =>
  poll(
    () => describeExecution(executionArn),
    (d) => d.status !== 'RUNNING',
    `the end of ${executionArn}`,
  );

const historyOf = async (executionArn: string): Promise<HistoryEvent[]> =>
  (await client.send(new GetExecutionHistoryCommand({ executionArn }))).events ?? [];

const statusEventsOf = (executionArn: string): string[] =>
  statusEvents
    .filter((event) => event.detail.executionArn === executionArn)
    .map((event) => event.detail.status);

beforeAll(async () => {
  sfn = await startLocalStepFunctions({
    timeScale: TIME_SCALE,
    stateMachines,
    onExecutionStatusChange: (event) => {
      statusEvents.push(event);
    },
  });
  client = makeClient(sfn.endpoint);
});

afterAll(async () => {
  client.destroy();
  await sfn.stop();
  for (const hold of holds.values()) hold.release.fire();
});

describe('local Step Functions endpoint: API', () => {
  it('runs an execution that DescribeExecution, ListExecutions and GetExecutionHistory then report', async () => {
    // Arrange
    const name = uniqueName('greet');

    // Act
    const executionArn = await start('greet', { who: 'ada' }, name);
    const ended = await waitForEnd(executionArn);
    const listed = await client.send(
      new ListExecutionsCommand({ stateMachineArn: sfn.stateMachineArn('greet'), statusFilter: 'SUCCEEDED' }),
    );
    const history = await historyOf(executionArn);

    // Assert
    expect(executionArn).toBe(`arn:aws:states:us-east-1:000000000000:execution:greet:${name}`);
    expect(ended).toMatchObject({ status: 'SUCCEEDED', name, stateMachineArn: sfn.stateMachineArn('greet') });
    expect(ended.startDate).toBeInstanceOf(Date);
    expect(ended.stopDate?.getTime()).toBeGreaterThanOrEqual(ended.startDate?.getTime() ?? Number.NaN);
    expect(JSON.parse(ended.output ?? '{}')).toEqual({
      who: 'ada',
      result: { greeting: `hello ada from ${name} (${executionArn})` },
    });
    expect(listed.executions?.map((execution) => execution.executionArn)).toContain(executionArn);
    expect(history.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'WaitStateEntered',
      'WaitStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    expect(history.map((event) => event.id)).toEqual(history.map((_, index) => index + 1));
    expect(history[1]?.stateEnteredEventDetails?.name).toBe('Greet');
    expect(history[2]?.taskScheduledEventDetails).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke',
    });
  });

  it('pages executions and history, newest first and in reverse order on request', async () => {
    // Arrange
    const first = await start('greet', { who: 'one' });
    const second = await start('greet', { who: 'two' });
    await waitForEnd(first);
    await waitForEnd(second);
    const stateMachineArn = sfn.stateMachineArn('greet');

    // Act
    const page1 = await client.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1 }));
    const page2 = await client.send(
      new ListExecutionsCommand({ stateMachineArn, maxResults: 1, nextToken: page1.nextToken }),
    );
    const newest = await client.send(
      new GetExecutionHistoryCommand({ executionArn: second, reverseOrder: true, maxResults: 2 }),
    );
    const older = await client.send(
      new GetExecutionHistoryCommand({
        executionArn: second,
        reverseOrder: true,
        maxResults: 2,
        nextToken: newest.nextToken,
      }),
    );

    // Assert
    expect(page1.executions?.map((execution) => execution.executionArn)).toEqual([second]);
    expect(page2.executions?.map((execution) => execution.executionArn)).toEqual([first]);
    expect(newest.events?.map((event) => event.type)).toEqual(['ExecutionSucceeded', 'SucceedStateExited']);
    expect(older.events?.map((event) => event.type)).toEqual(['SucceedStateEntered', 'WaitStateExited']);
  });

  it('serves the registered definition with its substitutions applied', async () => {
    // Act
    const described = await client.send(
      new DescribeStateMachineCommand({ stateMachineArn: sfn.stateMachineArn('greet') }),
    );
    const listed = await client.send(new ListStateMachinesCommand({}));

    // Assert
    expect(described).toMatchObject({ name: 'greet', status: 'ACTIVE', type: 'STANDARD' });
    expect(described.definition).toContain(functionArn('greet'));
    expect(described.definition).not.toContain('${');
    expect(listed.stateMachines?.map((machine) => machine.name)).toEqual(stateMachines.map((m) => m.name));
  });

  it('returns the running execution again for the same name and input, and refuses any other reuse', async () => {
    // Arrange
    const key = uniqueName('idempotent');
    const input = JSON.stringify({ key });
    const stateMachineArn = sfn.stateMachineArn('hold');
    const first = await client.send(new StartExecutionCommand({ stateMachineArn, name: key, input }));
    await holdFor(key).entered.fired;

    // Act
    const again = await client.send(new StartExecutionCommand({ stateMachineArn, name: key, input }));
    const otherInput = client.send(
      new StartExecutionCommand({ stateMachineArn, name: key, input: JSON.stringify({ key, more: 1 }) }),
    );
    holdFor(key).release.fire();
    await waitForEnd(first.executionArn ?? '');
    const afterClose = client.send(new StartExecutionCommand({ stateMachineArn, name: key, input }));

    // Assert
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate).toEqual(first.startDate);
    await expect(otherInput).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    await expect(afterClose).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  });

  it('aborts an execution on StopExecution and raises an ABORTED status change', async () => {
    // Arrange
    const key = uniqueName('stop');
    const executionArn = await start('hold', { key }, key);
    await holdFor(key).entered.fired;

    // Act
    await client.send(
      new StopExecutionCommand({ executionArn, error: 'Operator', cause: 'stopped by a test' }),
    );
    const described = await describeExecution(executionArn);
    await poll(
      async () => statusEventsOf(executionArn),
      (s) => s.includes('ABORTED'),
      'the ABORTED event',
    );
    holdFor(key).release.fire();
    const history = await historyOf(executionArn);

    // Assert
    expect(described).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'stopped by a test' });
    expect(statusEventsOf(executionArn)).toEqual(['RUNNING', 'ABORTED']);
    expect(history.at(-1)).toMatchObject({
      type: 'ExecutionAborted',
      executionAbortedEventDetails: { error: 'Operator', cause: 'stopped by a test' },
    });
  });

  it('times an execution out after its scaled TimeoutSeconds and raises a TIMED_OUT status change', async () => {
    // Arrange
    const key = uniqueName('expire');

    // Act
    const executionArn = await start('expiring-hold', { key }, key);
    const ended = await waitForEnd(executionArn);
    const events = await poll(
      async () => statusEvents.filter((event) => event.detail.executionArn === executionArn),
      (found) => found.some((event) => event.detail.status === 'TIMED_OUT'),
      'the TIMED_OUT event',
    );
    holdFor(key).release.fire();

    // Assert
    expect(ended).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect((await historyOf(executionArn)).at(-1)?.type).toBe('ExecutionTimedOut');
    expect(events.map((event) => event.detail.status)).toEqual(['RUNNING', 'TIMED_OUT']);
    expect(events[1]).toMatchObject({
      source: 'aws.states',
      'detail-type': 'Step Functions Execution Status Change',
      resources: [executionArn],
      detail: {
        name: key,
        stateMachineArn: sfn.stateMachineArn('expiring-hold'),
        input: JSON.stringify({ key }),
      },
    });
  });

  it('answers unknown and malformed resources with the SDK exception classes', async () => {
    // Arrange
    const missingMachine = 'arn:aws:states:us-east-1:000000000000:stateMachine:nope';
    const missingExecution = 'arn:aws:states:us-east-1:000000000000:execution:greet:nope';
    const greet = sfn.stateMachineArn('greet');

    // Act
    const attempts = {
      missingMachine: client.send(new StartExecutionCommand({ stateMachineArn: missingMachine })),
      malformedArn: client.send(new StartExecutionCommand({ stateMachineArn: 'not-an-arn' })),
      badName: client.send(new StartExecutionCommand({ stateMachineArn: greet, name: 'has space' })),
      badInput: client.send(new StartExecutionCommand({ stateMachineArn: greet, input: '{"who":' })),
      describe: describeExecution(missingExecution),
      stop: client.send(new StopExecutionCommand({ executionArn: missingExecution })),
    };

    // Assert
    await expect(attempts.missingMachine).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(attempts.malformedArn).rejects.toBeInstanceOf(InvalidArn);
    await expect(attempts.badName).rejects.toBeInstanceOf(InvalidName);
    await expect(attempts.badInput).rejects.toBeInstanceOf(InvalidExecutionInput);
    await expect(attempts.describe).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    await expect(attempts.stop).rejects.toBeInstanceOf(ExecutionDoesNotExist);
  });
});

describe('local Step Functions endpoint: Lambda tasks', () => {
  it('catches a handler error by its name, with Lambda’s error document as the cause', async () => {
    // Act
    const executionArn = await start('charge', { orderId: uniqueName('o'), token: 'tok_decline' });
    const ended = await waitForEnd(executionArn);

    // Assert
    const output = JSON.parse(ended.output ?? '{}');
    expect(ended.status).toBe('SUCCEEDED');
    expect(output).toMatchObject({ outcome: 'declined', error: 'PaymentDeclined' });
    expect(JSON.parse(output.cause)).toMatchObject({
      errorType: 'PaymentDeclined',
      errorMessage: 'card declined',
    });
    expect(JSON.parse(output.cause).trace[0]).toBe('PaymentDeclined: card declined');
  });

  it('retries a transient error with the backoff scaled by timeScale, and shows every attempt in the history', async () => {
    // Arrange
    const orderId = uniqueName('o');

    // Act
    const executionArn = await start('charge', { orderId, token: 'tok_flaky' });
    const ended = await waitForEnd(executionArn);
    const history = await historyOf(executionArn);

    // Assert
    expect(ended.status).toBe('SUCCEEDED');
    expect(chargeAttempts.get(orderId)).toBe(3);
    const scheduled = history.filter((event) => event.type === 'TaskScheduled');
    const failed = history.filter((event) => event.type === 'TaskFailed');
    expect(scheduled).toHaveLength(3);
    expect(failed.map((event) => event.taskFailedEventDetails?.error)).toEqual([
      'PaymentGatewayError',
      'PaymentGatewayError',
    ]);
    // IntervalSeconds 2 and BackoffRate 2: 2 s then 4 s in AWS, 20 ms then 40 ms here.
    const pauses = failed.map(
      (event, index) => (scheduled[index + 1]?.timestamp?.getTime() ?? 0) - (event.timestamp?.getTime() ?? 0),
    );
    expect(pauses[0]).toBeGreaterThanOrEqual(18);
    expect(pauses[1]).toBeGreaterThanOrEqual(38);
    expect((pauses[0] ?? 0) + (pauses[1] ?? 0)).toBeLessThan(2000);
  });

  it('fails the execution with the handler’s error once the retries are exhausted', async () => {
    // Arrange
    const orderId = uniqueName('o');

    // Act
    const ended = await waitForEnd(await start('charge', { orderId, token: 'tok_down' }));

    // Assert
    expect(ended).toMatchObject({ status: 'FAILED', error: 'PaymentGatewayError' });
    expect(JSON.parse(ended.cause ?? '{}')).toMatchObject({ errorType: 'PaymentGatewayError' });
    expect(chargeAttempts.get(orderId)).toBe(4);
  });

  it('times a task out with States.Timeout, which States.TaskFailed does not catch', async () => {
    // Arrange
    const key = uniqueName('slow');

    // Act
    const executionArn = await start('ship', { key, mode: 'slow' });
    const ended = await waitForEnd(executionArn);
    holdFor(key).release.fire();
    const history = await historyOf(executionArn);

    // Assert
    expect(ended.status).toBe('SUCCEEDED');
    expect(JSON.parse(ended.output ?? '{}').timeout).toMatchObject({ Error: 'States.Timeout' });
    expect(history.map((event) => event.type)).toContain('LambdaFunctionTimedOut');
    expect(history.map((event) => event.type)).not.toContain('LambdaFunctionSucceeded');
    // TimeoutSeconds 5 at timeScale 0.01: the handler has 50 ms.
    expect(shipContexts.get(key)).toBeGreaterThan(0);
    expect(shipContexts.get(key)).toBeLessThanOrEqual(50);
  });

  it('catches a handler error of a bare Lambda ARN task with States.TaskFailed', async () => {
    // Act
    const executionArn = await start('ship', { key: uniqueName('broken'), mode: 'broken' });
    const ended = await waitForEnd(executionArn);
    const history = await historyOf(executionArn);

    // Assert
    expect(ended).toMatchObject({
      status: 'FAILED',
      error: 'ShipFailed',
      cause: 'the carrier refused the shipment',
    });
    expect(
      history.find((event) => event.type === 'LambdaFunctionFailed')?.lambdaFunctionFailedEventDetails,
    ).toMatchObject({ error: 'ShippingError' });
  });

  it('runs Lambda tasks inside Parallel branches and Map processors', async () => {
    // Act
    const ended = await waitForEnd(await start('fan-out', { items: [1, 2] }));

    // Assert
    expect(ended.status).toBe('SUCCEEDED');
    expect(JSON.parse(ended.output ?? 'null')).toEqual([
      { echoed: { side: 'left' } },
      [{ echoed: 1 }, { echoed: 2 }],
    ]);
  });
});

describe('local Step Functions endpoint: lifecycle', () => {
  it('logs a status change listener that throws and keeps serving', async () => {
    // Arrange
    const logger = { error: jest.fn() };
    const local = await startLocalStepFunctions({
      timeScale: TIME_SCALE,
      stateMachines: [stateMachines[0] as LocalStateMachine],
      logger,
      onExecutionStatusChange: () => {
        throw new Error('listener broke');
      },
    });
    const localClient = makeClient(local.endpoint);

    try {
      // Act
      const started = await localClient.send(
        new StartExecutionCommand({ stateMachineArn: local.stateMachineArn('greet'), input: '{"who":"x"}' }),
      );
      const ended = await local.waitForExecution(started.executionArn ?? '');

      // Assert
      expect(ended.status).toBe('SUCCEEDED');
      expect(logger.error).toHaveBeenCalledTimes(2);
      expect(logger.error.mock.calls[1]?.[1]).toEqual(new Error('listener broke'));
    } finally {
      localClient.destroy();
      await local.stop();
    }
  });

  it('leaves no timers behind after stop(), even with executions waiting and tasks in flight', async () => {
    // Arrange
    // Every timer the endpoint or the interpreter creates from here on. Node marks a Timeout that
    // fired or was cleared `_destroyed`; unref'd ones (Node's HTTP date cache) never hold jest open.
    const timers: Array<NodeJS.Timeout & { _destroyed?: boolean }> = [];
    const hook = createHook({
      init: (_id, type, _trigger, resource) => {
        const stack = new Error().stack ?? '';
        if (type === 'Timeout' && /local\/sfn|aws-local-stepfunctions/.test(stack))
          timers.push(resource as NodeJS.Timeout);
      },
    }).enable();
    const key = uniqueName('in-flight');
    const local = await startLocalStepFunctions({ stateMachines });
    const localClient = makeClient(local.endpoint);
    for (const [machine, input] of [
      ['greet', { who: 'waiting' }],
      ['hold', { key }],
      ['ship', { key, mode: 'slow' }],
      ['expiring-hold', { key }],
    ] as const) {
      await localClient.send(
        new StartExecutionCommand({
          stateMachineArn: local.stateMachineArn(machine),
          input: JSON.stringify(input),
        }),
      );
    }
    await holdFor(key).entered.fired;
    localClient.destroy();

    // Act
    await local.stop();
    hook.disable();

    // Assert
    expect(timers.length).toBeGreaterThan(0);
    expect(timers.filter((timer) => !timer._destroyed && timer.hasRef())).toEqual([]);
  });
});
