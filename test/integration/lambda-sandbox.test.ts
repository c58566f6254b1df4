import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { NODE_MAJOR } from '../../lib/node-runtime';
import type { LocalFunction, LocalTopology } from '../../local/derive/types';
import { type LocalAwsEnvironment, sandboxEnvironment } from '../../local/lambda/environment';
import { Invoker } from '../../local/lambda/invoker';
import { LambdaSandbox } from '../../local/lambda/sandbox';
import { startSandboxes } from '../../local/lambda/sandboxes';

const TASK_ROOT = path.join(__dirname, '..', 'fixtures', 'sandbox');
const AWS: LocalAwsEnvironment = {
  endpoint: 'http://127.0.0.1:4566',
  region: 'us-east-1',
  accessKeyId: 'local',
  secretAccessKey: 'local',
};

const spec = (handlerExport: string): LocalFunction => ({
  stackName: 'sandbox-test',
  logicalId: 'Fn',
  name: `sandbox-test-${handlerExport}`,
  arn: `arn:aws:lambda:us-east-1:000000000000:function:sandbox-test-${handlerExport}`,
  entry: 'functions/none.ts',
  handlerExport,
  bundle: TASK_ROOT,
  timeoutSeconds: 5,
  memoryMb: 128,
  environment: { ORDERS_TABLE: 'orders-local' },
  asyncInvoke: { maximumRetryAttempts: 0, maximumEventAgeSeconds: 60 },
});

/** A sandbox on the fixture bundle, its log kept in memory; stopped by afterEach. */
const sandboxes: LambdaSandbox[] = [];
const sandboxFor = (handlerExport: string, env: Record<string, string> = {}) => {
  const fn = spec(handlerExport);
  const log: string[] = [];
  const sandbox = new LambdaSandbox({
    spec: fn,
    taskRoot: TASK_ROOT,
    env: { ...sandboxEnvironment(fn, AWS, TASK_ROOT), ...env },
    log: (chunk) => log.push(chunk),
  });
  sandboxes.push(sandbox);
  return { fn, sandbox, log };
};

const inSeconds = (seconds: number) => Date.now() + seconds * 1000;

/** An invocation request whose deadline is the function's own timeout. */
const request = (requestId: string, deadline: number) => ({ requestId, deadline, timeoutAt: deadline });

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const pollUntil = async (done: () => boolean, timeoutMs: number): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return done();
};

const waitUntilGone = (pid: number): Promise<boolean> => pollUntil(() => !isRunning(pid), 5_000);

interface Inspection {
  readonly event: unknown;
  readonly pid: number;
  readonly nodeVersion: string;
  readonly cwd: string;
  readonly remainingMs: number;
  readonly requestId: string;
  readonly functionName: string;
  readonly env: Record<string, string>;
}

describe('a Lambda sandbox for a bundle', () => {
  afterEach(async () => {
    await Promise.all(sandboxes.splice(0).map((sandbox) => sandbox.stop()));
  });

  it('runs the handler in a fresh Node.js process in the bundle directory, with only the function environment', async () => {
    // Arrange
    const { sandbox } = sandboxFor('inspect');

    // Act
    const seen = (await sandbox.run({ hello: 'world' }, request('req-1', inSeconds(5)))) as Inspection;

    // Assert
    expect(seen).toMatchObject({ event: { hello: 'world' }, requestId: 'req-1', cwd: TASK_ROOT });
    expect(seen.pid).not.toBe(process.pid);
    expect(seen.nodeVersion.startsWith(`v${NODE_MAJOR}.`)).toBe(true);
    expect(seen.env).toMatchObject({
      ORDERS_TABLE: 'orders-local',
      AWS_ENDPOINT_URL_DYNAMODB: AWS.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: 'sandbox-test-inspect',
      LAMBDA_TASK_ROOT: TASK_ROOT,
      _HANDLER: 'index.inspect',
    });
    // Nothing of the host: no PATH, HOME or NODE_PATH to find packages the bundle left out.
    expect(
      Object.keys(seen.env).filter((key) => ['PATH', 'HOME', 'NODE_PATH', 'JEST_WORKER_ID'].includes(key)),
    ).toEqual([]);
  });

  it('counts the remaining time down from the invocation deadline inside the sandbox', async () => {
    // Arrange
    const { sandbox } = sandboxFor('inspect');
    const deadline = inSeconds(4);

    // Act
    const seen = (await sandbox.run({}, request('req-2', deadline))) as Inspection;

    // Assert
    expect(seen.remainingMs).toBeGreaterThan(2_000);
    expect(seen.remainingMs).toBeLessThanOrEqual(4_000);
  });

  it('fails the invocation with the thrown error, its name as errorType, and logs it like Lambda', async () => {
    // Arrange
    const { fn, sandbox, log } = sandboxFor('fail');
    const invoker = new Invoker([sandbox]);

    // Act
    const failure = invoker.invoke(sandbox, {});

    // Assert
    await expect(failure).rejects.toMatchObject({ name: 'NotToday', message: 'not today' });
    expect(invoker.stats().get(fn.name)).toMatchObject({ invocations: 1, errors: 1 });
    expect(log.join('')).toMatch(
      /\tERROR\tInvoke Error \t\{"errorType":"NotToday","errorMessage":"not today"/,
    );
  });

  it('fails an invocation past its deadline with Sandbox.Timedout and runs the next one in a fresh process', async () => {
    // Arrange
    const { sandbox } = sandboxFor('sleep');
    await sandbox.start();
    const first = sandbox.pid ?? 0;

    // Act
    const timedOut = sandbox.run({ ms: 30_000 }, request('req-slow', Date.now() + 300));
    await expect(timedOut).rejects.toMatchObject({
      name: 'Sandbox.Timedout',
      message: 'req-slow Task timed out after 5.00 seconds',
    });
    const next = await sandbox.run({ ms: 1 }, request('req-next', inSeconds(5)));

    // Assert
    expect(await waitUntilGone(first)).toBe(true);
    expect(next).not.toBe(first);
    expect(sandbox.starts).toBe(2);
  });

  it("stops waiting at the caller's earlier deadline but leaves the process running, as a task timeout does", async () => {
    // Arrange
    const { sandbox } = sandboxFor('sleep');
    await sandbox.start();
    const pid = sandbox.pid ?? 0;

    // Act: a Step Functions task gives up after 200 ms; the function's own timeout is 5 s away
    const abandoned = sandbox.run(
      { ms: 600 },
      { requestId: 'req-task', deadline: Date.now() + 200, timeoutAt: inSeconds(5) },
    );
    await expect(abandoned).rejects.toMatchObject({ name: 'Sandbox.Timedout' });
    const next = await sandbox.run({ ms: 1 }, request('req-next', inSeconds(5)));

    // Assert
    expect(next).toBe(pid);
    expect(sandbox.starts).toBe(1);
  });

  it('lets the other invocations of a timed-out process finish, then recycles it', async () => {
    // Arrange
    const { sandbox } = sandboxFor('sleep');
    await sandbox.start();
    const pid = sandbox.pid ?? 0;

    // Act
    const patient = sandbox.run({ ms: 800 }, request('req-patient', inSeconds(5)));
    const timedOut = sandbox.run({ ms: 30_000 }, request('req-slow', Date.now() + 200));

    // Assert
    await expect(timedOut).rejects.toMatchObject({ name: 'Sandbox.Timedout' });
    expect(isRunning(pid)).toBe(true);
    await expect(patient).resolves.toBe(pid);
    expect(await waitUntilGone(pid)).toBe(true);
  });

  it("fails an invocation whose process exits with Runtime.ExitError in Lambda's words", async () => {
    // Arrange
    const { sandbox } = sandboxFor('exit');

    // Act
    const exited = sandbox.run({ code: 1 }, request('req-exit', inSeconds(5)));

    // Assert
    await expect(exited).rejects.toMatchObject({
      name: 'Runtime.ExitError',
      message: 'RequestId: req-exit Error: Runtime exited with error: exit status 1',
    });
  });

  it('fails the invocations in flight with an uncaught error, then starts a fresh process', async () => {
    // Arrange
    const { sandbox } = sandboxFor('throwLater');
    await sandbox.start();
    const first = sandbox.pid ?? 0;

    // Act
    const crashed = sandbox.run({}, request('req-crash', inSeconds(5)));
    await expect(crashed).rejects.toMatchObject({ name: 'NotToday', message: 'thrown outside the handler' });
    await sandbox.start();

    // Assert
    expect(await waitUntilGone(first)).toBe(true);
    expect(sandbox.pid).not.toBe(first);
    expect(sandbox.starts).toBe(2);
  });

  it("refuses a bundle that cannot load with Lambda's init error", async () => {
    // Arrange
    const { sandbox: broken } = sandboxFor('handler', { _HANDLER: 'broken.handler' });
    const { sandbox: misnamed } = sandboxFor('noSuchExport');

    // Act
    const [loading, missingExport] = await Promise.allSettled([broken.start(), misnamed.start()]);

    // Assert
    expect(loading).toMatchObject({
      status: 'rejected',
      reason: {
        name: 'Runtime.ImportModuleError',
        message: expect.stringContaining("Cannot find module '@orderflow/not-bundled'"),
      },
    });
    expect(missingExport).toMatchObject({ status: 'rejected', reason: { name: 'Runtime.HandlerNotFound' } });
  });

  it('writes what the handler prints to the function log', async () => {
    // Arrange
    const { sandbox, log } = sandboxFor('log');

    // Act: stdout is a pipe of its own, so the line may arrive after the result
    await sandbox.run({ name: 'from the sandbox' }, request('req-log', inSeconds(5)));
    const logged = await pollUntil(() => log.join('').includes('hello from the sandbox\n'), 5_000);

    // Assert
    expect(logged).toBe(true);
  });

  it('ends its process on stop and takes no invocation after', async () => {
    // Arrange
    const { sandbox } = sandboxFor('sleep');
    await sandbox.start();
    const pid = sandbox.pid ?? 0;

    // Act
    await sandbox.stop();

    // Assert
    expect(isRunning(pid)).toBe(false);
    await expect(sandbox.run({ ms: 1 }, request('req-late', inSeconds(5)))).rejects.toThrow(/stopped/);
  });
});

describe('the sandboxes of a topology', () => {
  const topologyOf = (functions: LocalFunction[]): LocalTopology => ({
    region: 'us-east-1',
    accountId: '000000000000',
    buckets: [],
    queues: [],
    tables: [],
    topics: [],
    functions,
    eventSourceMappings: [],
    stateMachines: [],
    eventRules: [],
    outputs: {},
    notEmulated: [],
  });
  const directories: string[] = [];
  const temporary = (prefix: string): string => {
    const directory = mkdtempSync(path.join(tmpdir(), prefix));
    directories.push(directory);
    return directory;
  };

  afterAll(() => {
    for (const directory of directories) rmSync(directory, { recursive: true, force: true });
  });

  it('refuses to start when a bundle cannot load, naming the function and the init error', async () => {
    // Arrange: a bundle outside the repository, with the dependency it left out nowhere to be found
    const bundle = temporary('orderflow-sandbox-test-');
    copyFileSync(path.join(TASK_ROOT, 'broken.js'), path.join(bundle, 'index.js'));
    const broken = { ...spec('handler'), name: 'broken-fn', bundle };

    // Act
    const starting = startSandboxes(topologyOf([broken]), AWS, temporary('orderflow-sandbox-state-'));

    // Assert
    await expect(starting).rejects.toMatchObject({
      name: 'SandboxError',
      message: expect.stringMatching(
        /broken-fn: Runtime\.ImportModuleError: Error: Cannot find module '@orderflow\/not-bundled'\n {4}bundle /,
      ),
    });
  });

  it('refuses a bundle with a node_modules above it, where Lambda would have none', async () => {
    // Arrange: the fixture lies inside the repository, under its node_modules' directory
    const inRepository = spec('inspect');

    // Act
    const starting = startSandboxes(topologyOf([inRepository]), AWS, temporary('orderflow-sandbox-state-'));

    // Assert
    await expect(starting).rejects.toMatchObject({
      name: 'SandboxError',
      message: expect.stringContaining('would resolve packages from'),
    });
  });
});
