import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionDoesNotExist,
  ExecutionNotRedrivable,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import {
  type ExecutionStatusChangeEvent,
  type LocalStepFunctions,
  startLocalStepFunctions,
} from '../../local/sfn';
import { uniqueName } from '../helpers/names';

const STEPS = ['Prepare', 'Cancel', 'Refund', 'Release', 'Record'] as const;
type Step = (typeof STEPS)[number];
const functionArn = (step: Step): string => `arn:aws:lambda:us-east-1:000000000000:function:${step}`;

class NamedError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** Per execution key: the payloads each step received, and the outage switches the test flips. */
const calls = new Map<string, Partial<Record<Step, unknown[]>>>();
const refundDown = new Set<string>();
const releaseHeld = new Map<string, { entered: () => void; release: Promise<void> }>();

const step =
  (name: Step) =>
  async (payload: { key: string }): Promise<unknown> => {
    const byStep = calls.get(payload.key) ?? {};
    calls.set(payload.key, byStep);
    byStep[name] = [...(byStep[name] ?? []), payload];
    if (name === 'Refund' && refundDown.has(payload.key)) {
      throw new NamedError('RefundDown', 'the payment provider is down');
    }
    const held = name === 'Release' ? releaseHeld.get(payload.key) : undefined;
    if (held) {
      held.entered();
      await held.release;
    }
    return { step: name, attempt: byStep[name]?.length };
  };

/** A clock the test moves: 14 days pass without waiting for them. */
let clockOffsetMs = 0;
let sfn: LocalStepFunctions;
let client: SFNClient;
const statusEvents: ExecutionStatusChangeEvent[] = [];

beforeAll(async () => {
  sfn = await startLocalStepFunctions({
    timeScale: 0.01,
    clock: () => new Date(Date.now() + clockOffsetMs),
    stateMachines: [
      {
        name: 'redrive',
        definition: readFileSync(join(__dirname, '../fixtures/sfn/redrive.asl.json'), 'utf8'),
        substitutions: Object.fromEntries(STEPS.map((name) => [`${name}FunctionArn`, functionArn(name)])),
        lambdaHandlers: Object.fromEntries(STEPS.map((name) => [functionArn(name), step(name)])),
      },
    ],
    onExecutionStatusChange: (event) => {
      statusEvents.push(event);
    },
  });
  client = new SFNClient({
    endpoint: sfn.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  client.destroy();
  await sfn.stop();
});

const start = async (key: string): Promise<string> => {
  const started = await client.send(
    new StartExecutionCommand({
      stateMachineArn: sfn.stateMachineArn('redrive'),
      name: key,
      input: JSON.stringify({ key }),
    }),
  );
  return started.executionArn ?? '';
};

const describe_ = (executionArn: string) => client.send(new DescribeExecutionCommand({ executionArn }));

const historyTypes = async (executionArn: string): Promise<string[]> =>
  ((await client.send(new GetExecutionHistoryCommand({ executionArn }))).events ?? []).map(
    (event) => event.type ?? '',
  );

const countsOf = (key: string): Record<string, number> =>
  Object.fromEntries(STEPS.map((name) => [name, calls.get(key)?.[name]?.length ?? 0]));

describe('RedriveExecution on the local Step Functions endpoint', () => {
  it('continues a failed execution inside its Parallel state: only the failed branch, from its failed state', async () => {
    // Arrange: the refund is down for good (its one retry fails too)
    const key = uniqueName('redrive-branch');
    refundDown.add(key);
    const executionArn = await start(key);
    const failed = await sfn.waitForExecution(executionArn);
    const before = await describe_(executionArn);

    // Act: the outage ends; the operator redrives
    refundDown.delete(key);
    const redriven = await client.send(
      new RedriveExecutionCommand({ executionArn, clientToken: `${key}-1` }),
    );
    const ended = await sfn.waitForExecution(executionArn);
    const again = await client.send(new RedriveExecutionCommand({ executionArn, clientToken: `${key}-1` }));
    const after = await describe_(executionArn);

    // Assert: the first attempt failed at the refund, with the release done beside it
    expect(failed).toMatchObject({ status: 'FAILED', error: 'RefundDown' });
    expect(before).toMatchObject({ redriveCount: 0, redriveStatus: 'REDRIVABLE' });
    expect(before.redriveStatusReason).toBeUndefined();
    // the redrive ran only the refund, with the input it had, then the rest of the machine
    expect(ended.status).toBe('SUCCEEDED');
    expect(countsOf(key)).toEqual({ Prepare: 1, Cancel: 1, Refund: 3, Release: 1, Record: 1 });
    const refunds = calls.get(key)?.Refund ?? [];
    expect(refunds[2]).toEqual(refunds[0]);
    expect(JSON.parse(after.output ?? '{}')).toMatchObject({
      compensation: { money: { step: 'Refund', attempt: 3 }, stock: { step: 'Release', attempt: 1 } },
      recorded: { step: 'Record' },
    });
    // same ARN, counted, dated; the same clientToken does not redrive twice
    expect(after).toMatchObject({
      executionArn,
      status: 'SUCCEEDED',
      redriveCount: 1,
      redriveStatus: 'NOT_REDRIVABLE',
      redriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven.',
    });
    expect(after.redriveDate).toEqual(redriven.redriveDate);
    expect(again.redriveDate).toEqual(redriven.redriveDate);
    const types = await historyTypes(executionArn);
    expect(types.filter((type) => type.startsWith('Execution'))).toEqual([
      'ExecutionStarted',
      'ExecutionFailed',
      'ExecutionRedriven',
      'ExecutionSucceeded',
    ]);
    expect(types.some((type) => type.startsWith('Pass'))).toBe(false);
    expect(
      statusEvents.filter((event) => event.detail.executionArn === executionArn).map((e) => e.detail.status),
    ).toEqual(['RUNNING', 'FAILED', 'RUNNING', 'SUCCEEDED']);
    const redrivenList = await client.send(
      new ListExecutionsCommand({
        stateMachineArn: sfn.stateMachineArn('redrive'),
        redriveFilter: 'REDRIVEN',
      }),
    );
    const notRedriven = await client.send(
      new ListExecutionsCommand({
        stateMachineArn: sfn.stateMachineArn('redrive'),
        redriveFilter: 'NOT_REDRIVEN',
      }),
    );
    expect(redrivenList.executions?.find((e) => e.executionArn === executionArn)).toMatchObject({
      redriveCount: 1,
    });
    expect(notRedriven.executions?.some((e) => e.executionArn === executionArn)).toBe(false);
  });

  it('runs again the state an ABORTED execution was in, not the ones before it', async () => {
    // Arrange: stopped while the release runs
    const key = uniqueName('redrive-aborted');
    let entered = (): void => undefined;
    const inRelease = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let release = (): void => undefined;
    releaseHeld.set(key, {
      entered,
      release: new Promise<void>((resolve) => {
        release = resolve;
      }),
    });
    const executionArn = await start(key);
    await inRelease;
    await client.send(new StopExecutionCommand({ executionArn, error: 'Operator' }));
    const aborted = await sfn.waitForExecution(executionArn);
    releaseHeld.delete(key);
    release();

    // Act
    await client.send(new RedriveExecutionCommand({ executionArn }));
    const ended = await sfn.waitForExecution(executionArn);

    // Assert: Prepare is not run again; the aborted branches run again from where they were
    expect(aborted.status).toBe('ABORTED');
    expect(ended.status).toBe('SUCCEEDED');
    expect(countsOf(key).Prepare).toBe(1);
    expect(countsOf(key).Release).toBe(2);
    expect(countsOf(key).Record).toBe(1);
  });

  it('refuses what AWS refuses: a running or succeeded execution, one stopped 14 days ago, an unknown one', async () => {
    // Arrange
    const running = uniqueName('redrive-running');
    let entered = (): void => undefined;
    const inRelease = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let release = (): void => undefined;
    releaseHeld.set(running, {
      entered,
      release: new Promise<void>((resolve) => {
        release = resolve;
      }),
    });
    const runningArn = await start(running);
    await inRelease;
    const succeededArn = await start(uniqueName('redrive-ok'));
    await sfn.waitForExecution(succeededArn);
    const old = uniqueName('redrive-old');
    refundDown.add(old);
    const oldArn = await start(old);
    await sfn.waitForExecution(oldArn);
    const redrive = (executionArn: string) => client.send(new RedriveExecutionCommand({ executionArn }));

    // Act
    const whileRunning = redrive(runningArn);
    const whenSucceeded = redrive(succeededArn);
    const withinPeriod = await describe_(oldArn);
    clockOffsetMs = 14 * 24 * 3600 * 1000 + 60_000;
    const pastPeriod = redrive(oldArn);
    const describedPast = await describe_(oldArn);
    const unknown = redrive(runningArn.replace(running, uniqueName('nobody')));

    // Assert
    await expect(whileRunning).rejects.toThrow(ExecutionNotRedrivable);
    await expect(whileRunning).rejects.toThrow('Execution is RUNNING and cannot be redriven.');
    await expect(whenSucceeded).rejects.toThrow('Execution is SUCCEEDED and cannot be redriven.');
    expect(withinPeriod.redriveStatus).toBe('REDRIVABLE');
    await expect(pastPeriod).rejects.toThrow('Execution redrivable period exceeded.');
    expect(describedPast).toMatchObject({
      redriveStatus: 'NOT_REDRIVABLE',
      redriveStatusReason: 'Execution redrivable period exceeded.',
    });
    await expect(unknown).rejects.toThrow(ExecutionDoesNotExist);
    clockOffsetMs = 0;
    releaseHeld.delete(running);
    release();
    await sfn.waitForExecution(runningArn);
  });

  it('keeps an execution on the definition it started with after UpdateStateMachine, for its redrive too', async () => {
    // Arrange: an execution of today's definition fails at the refund; then the machine is updated to
    // a definition without the Record step
    const stateMachineArn = sfn.stateMachineArn('redrive');
    const { definition = '' } = await client.send(new DescribeStateMachineCommand({ stateMachineArn }));
    const updated = JSON.parse(definition) as { States: Record<string, Record<string, unknown>> };
    const { Next: _next, ...compensate } = updated.States.Compensate ?? {};
    updated.States.Compensate = { ...compensate, End: true };
    delete updated.States.Record;
    const old = uniqueName('redrive-old-definition');
    refundDown.add(old);
    const oldArn = await start(old);
    await sfn.waitForExecution(oldArn);
    try {
      await client.send(
        new UpdateStateMachineCommand({ stateMachineArn, definition: JSON.stringify(updated) }),
      );

      // Act
      const fresh = uniqueName('redrive-new-definition');
      const freshEnded = await sfn.waitForExecution(await start(fresh));
      refundDown.delete(old);
      await client.send(new RedriveExecutionCommand({ executionArn: oldArn }));
      const oldEnded = await sfn.waitForExecution(oldArn);

      // Assert: the new execution has no Record step; the redriven old one still runs it
      expect([freshEnded.status, oldEnded.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
      expect(countsOf(fresh).Record).toBe(0);
      expect(countsOf(old).Record).toBe(1);
    } finally {
      await client.send(new UpdateStateMachineCommand({ stateMachineArn, definition }));
    }
  });

  it('refuses a redrive once the history reaches its event limit, with AWS’s reason, whatever the redrive count', async () => {
    // Arrange: an endpoint whose history limit is 60 events instead of 25,000; the refund stays down,
    // so each redrive fails again and adds its events
    const limited = await startLocalStepFunctions({
      timeScale: 0.01,
      maxHistoryEvents: 60,
      stateMachines: [
        {
          name: 'redrive-limited',
          definition: readFileSync(join(__dirname, '../fixtures/sfn/redrive.asl.json'), 'utf8'),
          substitutions: Object.fromEntries(STEPS.map((name) => [`${name}FunctionArn`, functionArn(name)])),
          lambdaHandlers: Object.fromEntries(STEPS.map((name) => [functionArn(name), step(name)])),
        },
      ],
    });
    const limitedClient = new SFNClient({
      endpoint: limited.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const key = uniqueName('redrive-limit');
    refundDown.add(key);
    try {
      const { executionArn = '' } = await limitedClient.send(
        new StartExecutionCommand({
          stateMachineArn: limited.stateMachineArn('redrive-limited'),
          name: key,
          input: JSON.stringify({ key }),
        }),
      );
      await limited.waitForExecution(executionArn);

      // Act: redrive until refused (bounded: 60 events hold only a few attempts)
      let refusal: unknown;
      for (let attempt = 0; attempt < 20 && refusal === undefined; attempt += 1) {
        refusal = await limitedClient.send(new RedriveExecutionCommand({ executionArn })).then(
          async () => {
            await limited.waitForExecution(executionArn);
            return undefined;
          },
          (error: unknown) => error,
        );
      }
      const described = await limitedClient.send(new DescribeExecutionCommand({ executionArn }));

      // Assert
      expect(refusal).toBeInstanceOf(ExecutionNotRedrivable);
      expect((refusal as Error).message).toBe('Execution history event limit exceeded.');
      expect(described).toMatchObject({
        status: 'FAILED',
        redriveStatus: 'NOT_REDRIVABLE',
        redriveStatusReason: 'Execution history event limit exceeded.',
      });
      expect(described.redriveCount).toBeGreaterThan(0);
    } finally {
      refundDown.delete(key);
      limitedClient.destroy();
      await limited.stop();
    }
  });
});
