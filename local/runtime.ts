import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ApiCallCounter, type ObservedApiCall, type ServiceCalls } from './api-calls';
import { Chaos, type ChaosOptions } from './chaos/chaos';
import type { FaultInjector } from './chaos/faults';
import { type Gateway, startGateway } from './gateway';
import type { AsyncFailure } from './lambda/async-invoke';
import { AsyncInvoker } from './lambda/async-invoke';
import { makeDestinationSender } from './lambda/destinations';
import { type LocalAwsEnvironment, STAND_IN_S3_CHECKSUMS } from './lambda/environment';
import { installFunctionScopes } from './lambda/function-scope';
import { type InvocationStats, Invoker } from './lambda/invoker';
import { type LoadedFunctions, loadAllFunctions } from './lambda/load-all';
import { type SandboxStatus, startSandboxes } from './lambda/sandboxes';
import { createResources } from './resources';
import { startSaga } from './saga';
import type { ExecutionStatusChangeEvent } from './sfn';
import { ResponsiveLimit } from './sfn/running-limit';
import { fauxqsQueueUrl, StandInError, type StandIns, startStandIns } from './stand-ins';
import { deriveTopology, type LocalTopology, synthesizeApp } from './topology';
import { EventBus } from './triggers/event-rules';
import { S3Notifier } from './triggers/s3-notifications';
import { SqsEventSource } from './triggers/sqs-event-source';
import { capVisibilityTimeouts } from './visibility';

export interface LocalRuntimeOptions {
  /** Keep DynamoDB data and function logs here between runs. @default a temporary directory, removed at stop */
  readonly stateDir?: string;
  /**
   * Multiplies the saga's durations (retry intervals, waits, task and execution timeouts) and
   * Lambda's async-invoke retry delays. @default 1: real timing
   */
  readonly timeScale?: number;
  /** Port of the local endpoint every service is served on. @default an ephemeral port */
  readonly port?: number;
  /** CDK context on top of cdk.json's, e.g. `{ ordersMaxReceiveCount: 2 }`. @default none */
  readonly context?: Readonly<Record<string, unknown>>;
  /** Where the runtime reports problems (a failed delivery, a malformed batch response). @default stderr */
  readonly log?: (message: string) => void;
  /** Silences `log`. @default false */
  readonly quiet?: boolean;
  /**
   * Run the bundles `cdk synth` writes, each function in its own Node.js process with only its
   * environment (local/lambda/sandbox.ts), instead of the TypeScript sources in this process.
   * Synthesis then runs esbuild for every function, as a deploy does. @default false
   */
  readonly bundled?: boolean;
  /**
   * Inject faults (see local/chaos): AWS API faults at the gateway, crashes, timeouts and service
   * errors in the Lambda stand-in, S3 notifications and SQS messages delivered twice. @default none
   */
  readonly chaos?: Omit<ChaosOptions, 'log'>;
  /**
   * Caps every queue's visibility timeout, so a batch that failed returns in seconds rather than the
   * CDK's minutes (chaos runs), never below the timeout of the function the queue feeds
   * (local/visibility). @default the CDK's values
   */
  readonly maxVisibilityTimeoutSeconds?: number;
  /**
   * Stops a start-up in progress (Ctrl-C during `local up`): checked between its phases, it undoes
   * what was started and rejects with the signal's reason. @default none
   */
  readonly signal?: AbortSignal;
  /**
   * The Step Functions endpoint's clock (start, stop and redrive dates, the 14-day redrive period):
   * tests move it forward to make an execution too old to redrive. @default the system clock
   */
  readonly sfnClock?: () => Date;
  /**
   * Injects faults at the gateway (the flash-sale bench's transaction conflicts); with `chaos` the
   * chaos injector is used instead. @default none
   */
  readonly faults?: FaultInjector;
  /** Sees every request the endpoint counts, with its body (the cost bench). @default none */
  readonly onApiCall?: (call: ObservedApiCall) => void;
}

export interface LocalRuntime {
  /** The one endpoint for S3, SQS, SNS, DynamoDB and Step Functions (counted). */
  readonly endpoint: string;
  /** The stand-ins themselves, uncounted: for the runtime's own plumbing and for observing. */
  readonly direct: { readonly fauxqs: string; readonly dynamodb: string; readonly sfn: string };
  readonly aws: LocalAwsEnvironment;
  readonly topology: LocalTopology;
  /** CfnOutputs of every stack, resolved to local values (keys as in lib/contract.ts OUTPUTS). */
  readonly outputs: Readonly<Record<string, string>>;
  readonly stateDir: string;
  readonly persistent: boolean;
  readonly logDir: string;
  readonly timeScale: number;
  /** The functions run from their cdk synth bundles, in sandbox processes (LocalRuntimeOptions.bundled). */
  readonly bundled: boolean;
  /** Process id of DynamoDB Local's Java child. */
  readonly dynamoDbPid: number | undefined;
  apiCalls(): Record<string, ServiceCalls>;
  invocations(): ReadonlyMap<string, InvocationStats>;
  /** The bundled functions' sandboxes (bundle, process, Node.js version); empty when the sources run in-process. */
  sandboxes(): readonly SandboxStatus[];
  /** Async events functions could not take (after retries), and where they went. */
  asyncFailures(): readonly AsyncFailure[];
  /** Work in progress: running invocations, async events pending or waiting to retry, S3 events being built. */
  busy(): number;
  /** Called for every execution status change (RUNNING and each ending). */
  onExecutionStatusChange(listener: (event: ExecutionStatusChangeEvent) => void): void;
  /** The faults being injected, when the runtime runs with chaos. */
  readonly chaos: Chaos | undefined;
  stop(): Promise<void>;
}

const REGION = 'us-east-1';
const ACCOUNT_ID = '000000000000';
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
/** How long stop() lets running batches finish before closing the stand-ins under them. */
const STOP_GRACE_MS = 3_000;

/**
 * fauxqs builds a queue's URL from the Host of the CreateQueue request. Creating the queues with the
 * gateway's host makes their URLs name the runtime's one endpoint (`sqs.<region>.127.0.0.1:<port>`):
 * stable across restarts on the same --port, so a shell that sourced env.sh keeps working.
 */
const withQueueHost = (sqs: SQSClient, host: string): SQSClient => {
  sqs.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers.host = host;
      return next(args);
    },
    { step: 'build', name: 'orderflowQueueHost' },
  );
  return sqs;
};

const directClients = (fauxqs: string, dynamodb: string, gatewayEndpoint: string) => {
  const common = { region: REGION, credentials: LOCAL_CREDENTIALS };
  return {
    s3: new S3Client({ ...common, endpoint: fauxqs, forcePathStyle: true, ...STAND_IN_S3_CHECKSUMS }),
    sqs: withQueueHost(new SQSClient({ ...common, endpoint: fauxqs }), new URL(gatewayEndpoint).host),
    sns: new SNSClient({ ...common, endpoint: fauxqs }),
    dynamodb: new DynamoDBClient({ ...common, endpoint: dynamodb }),
  };
};

/**
 * The saga's task timeouts shrink with the time scale, but not below this: a step's work on the
 * stand-ins (DynamoDB Local, one machine, bursts of executions) takes as long at any time scale.
 */
const MIN_TASK_TIMEOUT_SECONDS = 15;

/**
 * Saga executions running their states at once; more wait for a slot, RUNNING to the API. What one
 * machine's DynamoDB Local and in-process functions serve without a task queueing past its timeout;
 * fewer, down to the minimum, while this process's event loop lags (see ResponsiveLimit).
 */
const RUNNING_EXECUTIONS = { max: 48, min: 4 } as const;

/** S3 sometimes delivers an event again minutes later (× the time scale). */
const LATE_DUPLICATE_NOTIFICATION_MS = 120_000;

const withGrace = (work: Promise<unknown>, ms: number): Promise<unknown> =>
  Promise.race([work, new Promise((resolve) => setTimeout(resolve, ms).unref())]);

/**
 * Runs the whole orderflow pipeline on this machine: synthesizes the CDK app, derives the topology,
 * starts fauxqs, DynamoDB Local and the local Step Functions endpoint behind one counting endpoint,
 * creates every resource, loads every function (in-process from its source, or from its bundle
 * in a sandbox process) and plays Lambda's part (S3 notifications, the SQS event source mapping,
 * saga tasks, EventBridge rules, async retries and on-failure destinations).
 */
export const startLocalRuntime = async (options: LocalRuntimeOptions = {}): Promise<LocalRuntime> => {
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0)) throw new Error(`timeScale must be a positive number, got ${timeScale}`);
  const report = options.quiet
    ? () => undefined
    : (options.log ?? ((message: string) => process.stderr.write(`${message}\n`)));
  const persistent = options.stateDir !== undefined;
  const stateDir = options.stateDir
    ? path.resolve(options.stateDir)
    : mkdtempSync(path.join(tmpdir(), 'orderflow-local-'));
  const cleanups: (() => Promise<void> | void)[] = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step();
  };
  if (!persistent) {
    // A second Ctrl-C exits at once: the temporary directory must not outlive the process even then.
    const removeOnExit = () => rmSync(stateDir, { recursive: true, force: true });
    process.once('exit', removeOnExit);
    cleanups.push(() => {
      process.removeListener('exit', removeOnExit);
      removeOnExit();
    });
  }
  const checkpoint = () => options.signal?.throwIfAborted();
  const bundled = options.bundled ?? false;
  // Bundles go outside the repository and the state directory: no node_modules may lie above them.
  const bundleDir = bundled ? mkdtempSync(path.join(tmpdir(), 'orderflow-bundles-')) : undefined;
  if (bundleDir !== undefined) cleanups.push(() => rmSync(bundleDir, { recursive: true, force: true }));
  else cleanups.push(installFunctionScopes());
  const chaos = options.chaos ? new Chaos({ ...options.chaos, log: report }) : undefined;

  try {
    const counter = new ApiCallCounter();
    // Filled in as the stand-ins come up; the gateway starts first so a taken port fails fast.
    const upstreams: Record<string, string> = {};
    let gateway: Gateway;
    try {
      gateway = await startGateway(upstreams, counter, {
        ...(options.port === undefined ? {} : { port: options.port }),
        ...(chaos ? { faults: chaos.gateway } : options.faults ? { faults: options.faults } : {}),
        ...(options.onApiCall ? { observe: options.onApiCall } : {}),
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new StandInError(
          `port ${options.port} on 127.0.0.1 is already in use; choose another with --port`,
        );
      }
      throw error;
    }
    cleanups.push(() => gateway.stop());
    checkpoint();

    const synthesized = synthesizeApp({
      ...(options.context ? { context: options.context } : {}),
      ...(bundleDir !== undefined ? { bundleInto: bundleDir } : {}),
    });

    const dynamoDbPath = path.join(stateDir, 'dynamodb');
    mkdirSync(dynamoDbPath, { recursive: true });
    const standIns: StandIns = await startStandIns({
      messageSpies: { bufferSize: 1 },
      sharedDb: true,
      ...(persistent ? { dynamoDbPath } : {}),
    });
    cleanups.push(() => standIns.stop());
    checkpoint();
    Object.assign(upstreams, {
      s3: standIns.fauxqsEndpoint,
      sqs: standIns.fauxqsEndpoint,
      sns: standIns.fauxqsEndpoint,
      dynamodb: standIns.dynamoDbEndpoint,
    });

    const derived = deriveTopology(synthesized, {
      region: REGION,
      accountId: ACCOUNT_ID,
      queueUrl: fauxqsQueueUrl(gateway.endpoint, REGION, ACCOUNT_ID),
    });
    const topology =
      options.maxVisibilityTimeoutSeconds === undefined
        ? derived
        : capVisibilityTimeouts(derived, options.maxVisibilityTimeoutSeconds);
    const clients = directClients(standIns.fauxqsEndpoint, standIns.dynamoDbEndpoint, gateway.endpoint);
    cleanups.push(() => {
      for (const client of Object.values(clients)) client.destroy();
    });
    await createResources(topology, clients);
    checkpoint();

    const aws: LocalAwsEnvironment = { endpoint: gateway.endpoint, region: REGION, ...LOCAL_CREDENTIALS };
    const sandboxes = bundled ? await startSandboxes(topology, aws, stateDir) : undefined;
    const loaded: LoadedFunctions = sandboxes ?? loadAllFunctions(topology, aws, stateDir);
    checkpoint();
    cleanups.push(() => loaded.stop());
    const invoker = new Invoker(loaded.functions, chaos);

    const invokeAsync = (arn: string, event: unknown): boolean => {
      const fn = invoker.find(arn);
      if (fn) asyncInvoker.invokeAsync(fn, event);
      return fn !== undefined;
    };
    const sendToDestination = makeDestinationSender(topology, clients, invokeAsync);
    const asyncInvoker: AsyncInvoker = new AsyncInvoker(invoker, sendToDestination, timeScale, (failure) =>
      report(
        `${failure.functionName}: event failed after ${failure.attempts} attempt(s) (${failure.errorType}: ${failure.errorMessage}) → ${failure.destination ?? 'dropped: no on-failure destination'}`,
      ),
    );
    cleanups.push(() => asyncInvoker.stop());
    const invokeOrReport = (arn: string, event: unknown): void => {
      if (!invokeAsync(arn, event)) report(`no local function ${arn} for an async event`);
    };

    const bus = new EventBus(topology.eventRules, invokeOrReport);
    const statusListeners: ((event: ExecutionStatusChangeEvent) => void)[] = [];
    const runningLimit = new ResponsiveLimit(RUNNING_EXECUTIONS);
    cleanups.push(() => runningLimit.stop());
    const sfn = await startSaga(topology, invoker, {
      timeScale,
      minTaskTimeoutSeconds: MIN_TASK_TIMEOUT_SECONDS,
      maxRunningExecutions: runningLimit,
      ...(options.sfnClock ? { clock: options.sfnClock } : {}),
      onStatusChange: (event) => {
        bus.put(event);
        for (const listener of statusListeners) listener(event);
      },
      report,
    });
    cleanups.push(() => sfn.stop());
    upstreams.states = sfn.endpoint;

    const notifier = new S3Notifier(
      topology.buckets,
      clients.s3,
      REGION,
      {
        invokeFunction: invokeOrReport,
        deliver: (target, body) => sendToDestination(target.arn, body),
        onError: report,
      },
      chaos ? { chaos, laterMs: LATE_DUPLICATE_NOTIFICATION_MS * timeScale } : undefined,
    );
    notifier.listen(standIns.fauxqs);
    cleanups.push(() => notifier.stop());

    const pollingSqs = new SQSClient({
      region: REGION,
      credentials: LOCAL_CREDENTIALS,
      endpoint: gateway.endpoint,
    });
    cleanups.push(() => pollingSqs.destroy());
    const sources = topology.eventSourceMappings.map((mapping) => {
      const queue = topology.queues.find((candidate) => candidate.arn === mapping.queueArn);
      const fn = invoker.find(mapping.functionArn);
      if (!queue || !fn)
        throw new Error(`event source mapping ${mapping.logicalId} names an unknown queue or function`);
      return new SqsEventSource(mapping, queue, fn, invoker, pollingSqs, REGION, { onError: report }, chaos);
    });
    for (const source of sources) source.start();
    cleanups.push(async () => {
      await withGrace(Promise.all(sources.map((source) => source.stop())), STOP_GRACE_MS);
    });

    const outputs = Object.assign({}, ...Object.values(topology.outputs)) as Record<string, string>;
    let stopped: Promise<void> | undefined;
    return {
      endpoint: gateway.endpoint,
      direct: { fauxqs: standIns.fauxqsEndpoint, dynamodb: standIns.dynamoDbEndpoint, sfn: sfn.endpoint },
      aws,
      topology,
      outputs,
      stateDir,
      persistent,
      logDir: loaded.logDir,
      timeScale,
      bundled,
      dynamoDbPid: standIns.dynamoDbPid,
      apiCalls: () => counter.snapshot(),
      invocations: () => invoker.stats(),
      sandboxes: () => sandboxes?.status() ?? [],
      asyncFailures: () => asyncInvoker.failures,
      busy: () =>
        invoker.inFlight +
        asyncInvoker.pending +
        notifier.pending +
        sources.reduce((sum, source) => sum + source.collecting, 0),
      onExecutionStatusChange: (listener) => {
        statusListeners.push(listener);
      },
      chaos,
      stop: () => {
        stopped ??= cleanup();
        return stopped;
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
};
