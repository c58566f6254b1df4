import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { type LocalStepFunctions, startLocalStepFunctions } from '../../local/sfn';
import { ResponsiveLimit, type RunningLimit } from '../../local/sfn/running-limit';

const HOLD_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:hold';

/** A limit the test moves by hand, as ResponsiveLimit moves it with the event loop's delay. */
class ManualLimit implements RunningLimit {
  #listeners: (() => void)[] = [];
  constructor(public current: number) {}
  onRaise(listener: () => void): void {
    this.#listeners.push(listener);
  }
  raise(to: number): void {
    this.current = to;
    for (const listener of this.#listeners) listener();
  }
}

const entered: string[] = [];
const releases = new Map<string, () => void>();
const hold = async (payload: { key: string }) => {
  entered.push(payload.key);
  await new Promise<void>((resolve) => releases.set(payload.key, resolve));
  return { released: payload.key };
};

const until = async (what: string, done: () => boolean | Promise<boolean>): Promise<void> => {
  const deadline = Date.now() + 20_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

let sfn: LocalStepFunctions;
let client: SFNClient;
const limit = new ManualLimit(2);

beforeAll(async () => {
  sfn = await startLocalStepFunctions({
    timeScale: 0.01,
    maxRunningExecutions: limit,
    stateMachines: [
      {
        name: 'hold',
        definition: readFileSync(join(__dirname, '../fixtures/sfn/hold.asl.json'), 'utf8'),
        substitutions: { HoldFunctionArn: HOLD_ARN },
        lambdaHandlers: { [HOLD_ARN]: hold },
      },
    ],
  });
  client = new SFNClient({
    endpoint: sfn.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  for (const release of releases.values()) release();
  client.destroy();
  await sfn.stop();
});

describe('the local Step Functions endpoint under a moving running limit', () => {
  it('starts waiting executions when the limit rises, and no more than it allows', async () => {
    // Arrange: a limit of 2, four executions that hold their task until released
    const arns: string[] = [];
    for (const key of ['a', 'b', 'c', 'd']) {
      const started = await client.send(
        new StartExecutionCommand({
          stateMachineArn: sfn.stateMachineArn('hold'),
          name: key,
          input: JSON.stringify({ key }),
        }),
      );
      arns.push(started.executionArn ?? '');
    }
    await until('two executions in their task', () => entered.length === 2);
    const waiting = await client.send(new DescribeExecutionCommand({ executionArn: arns[3] }));

    // Act
    limit.raise(3);
    await until('a third execution in its task', () => entered.length === 3);
    releases.get('a')?.();
    await until('the fourth execution in its task', () => entered.length === 4);

    // Assert
    expect(waiting.status).toBe('RUNNING');
    expect(entered).toEqual(['a', 'b', 'c', 'd']);
  });

  it('runs an execution stopped while it waited, then redriven, once', async () => {
    // Arrange: b, c and d hold the limit's 3 slots; e waits, is stopped, and is redriven while it waits
    const start = async (key: string): Promise<string> =>
      (
        await client.send(
          new StartExecutionCommand({
            stateMachineArn: sfn.stateMachineArn('hold'),
            name: key,
            input: JSON.stringify({ key }),
          }),
        )
      ).executionArn ?? '';
    const statusOf = async (executionArn: string): Promise<string | undefined> =>
      (await client.send(new DescribeExecutionCommand({ executionArn }))).status;
    const e = await start('e');
    await client.send(new StopExecutionCommand({ executionArn: e }));
    await client.send(new RedriveExecutionCommand({ executionArn: e }));

    // Act: two slots free up, one after the other
    for (const key of ['b', 'c']) releases.get(key)?.();
    const ended = ['b', 'c'].map((key) => e.replace(/:e$/, `:${key}`));
    await until('b and c to end', async () => {
      const statuses = await Promise.all(ended.map(statusOf));
      return statuses.every((status) => status === 'SUCCEEDED');
    });
    await until('e in its task', () => entered.includes('e'));
    releases.get('e')?.();

    // Assert
    expect(entered.filter((key) => key === 'e')).toEqual(['e']);
  });
});

describe('ResponsiveLimit', () => {
  it('shrinks by a quarter while the event loop lags, down to its minimum, and grows back when it is quick', () => {
    // Arrange
    const delays = [250, 250, 250, 250, 250, 5, 5, 5, 60];
    const raised: number[] = [];
    const responsive = new ResponsiveLimit({
      max: 16,
      min: 6,
      everyMs: 3_600_000,
      meanDelayMs: () => delays.shift() ?? 0,
    });
    responsive.onRaise(() => raised.push(responsive.current));

    // Act
    const seen: number[] = [];
    for (let judgement = 0; judgement < 9; judgement += 1) {
      responsive.judge();
      seen.push(responsive.current);
    }
    responsive.stop();

    // Assert
    expect(seen).toEqual([12, 9, 6, 6, 6, 10, 14, 16, 16]);
    expect(raised).toEqual([10, 14, 16]);
  });
});
