import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { awsEnvironment } from '../../local/lambda/environment';
import type { LocalRuntime } from '../../local/runtime';
import { UsageError } from '../shared/errors';
import { labelOf } from '../shared/names';
import { startStoppableRuntime } from './signals';

export interface LocalUpOptions {
  readonly port: number;
  readonly stateDir?: string;
  readonly timeScale: number;
  /** Run the cdk synth bundles in sandbox processes (LocalRuntimeOptions.bundled). */
  readonly bundled: boolean;
  /** Inject faults while it runs (LocalRuntimeOptions.chaos). @default none */
  readonly chaos?: { readonly rate: number; readonly seed: number };
  readonly out?: NodeJS.WriteStream;
}

/** The variables that point the AWS CLI, the SDKs and `orderflow` at the runtime. */
export const localEnvironment = (runtime: LocalRuntime): Record<string, string> => ({
  AWS_ENDPOINT_URL: runtime.endpoint,
  ...awsEnvironment(runtime.aws),
  // Path-style S3 for the AWS CLI without touching ~/.aws (v1 reads addressing_style only from a config file).
  AWS_CONFIG_FILE: path.join(runtime.stateDir, 'aws-config'),
  ORDERFLOW_OUTPUTS: path.join(runtime.stateDir, 'outputs.json'),
  // Where `orderflow verify` reads the NEEDS_ATTENTION metric's data points (the function logs).
  ORDERFLOW_LOG_DIR: runtime.logDir,
});

/** `IngestBucketName` → `ORDERFLOW_INGEST_BUCKET_NAME`: the stack outputs as shell variables. */
export const outputVariables = (outputs: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(outputs).map(([key, value]) => [
      `ORDERFLOW_${key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`,
      value,
    ]),
  );

/** outputs.json, env.sh and the AWS CLI config in the state directory, as `local up` leaves them. */
export const writeSupportFiles = (runtime: LocalRuntime, env: Record<string, string>): void => {
  writeFileSync(
    path.join(runtime.stateDir, 'aws-config'),
    `[default]\nregion = ${runtime.aws.region}\ns3 =\n    addressing_style = path\n`,
  );
  writeFileSync(path.join(runtime.stateDir, 'outputs.json'), `${JSON.stringify(runtime.outputs, null, 2)}\n`);
  writeFileSync(
    path.join(runtime.stateDir, 'env.sh'),
    `${Object.entries({ ...env, ...outputVariables(runtime.outputs) })
      .map(([key, value]) => `export ${key}='${value}'`)
      .join('\n')}\n`,
  );
};

const resourceLines = (runtime: LocalRuntime): string[] => {
  const t = runtime.topology;
  const fnLabel = (arn: string) => {
    const fn = t.functions.find((candidate) => candidate.arn === arn);
    return fn ? labelOf(fn) : arn;
  };
  return [
    ...t.buckets.map((bucket) => {
      const notes = bucket.notifications.map(
        (n) =>
          `${n.events.join(',')} ${n.prefix ?? ''}*${n.suffix ?? ''} → ${n.target.kind === 'function' ? fnLabel(n.target.arn) : n.target.arn}`,
      );
      return `  bucket        ${bucket.name}${notes.length > 0 ? `  (${notes.join('; ')})` : ''}`;
    }),
    ...t.queues.map((queue) => {
      const redrive = queue.redrive ? `, maxReceiveCount ${queue.redrive.maxReceiveCount} → DLQ` : '';
      return `  queue         ${queue.url}  (${labelOf(queue)}${queue.fifo ? ', FIFO' : ''}, visibility ${queue.visibilityTimeoutSeconds} s${redrive})`;
    }),
    ...t.tables.map(
      (table) => `  table         ${table.name}${table.ttlAttribute ? `  (TTL ${table.ttlAttribute})` : ''}`,
    ),
    ...t.topics.map((topic) => `  topic         ${topic.arn}`),
    ...t.stateMachines.map((machine) => `  state machine ${machine.arn}`),
    ...t.eventSourceMappings.map(
      (m) =>
        `  event source  ${m.queueArn.split(':').pop()} → ${fnLabel(m.functionArn)}  (batch ${m.batchSize}, max concurrency ${m.maximumConcurrency ?? 'default'}${m.reportBatchItemFailures ? ', partial batch responses' : ''})`,
    ),
    ...t.eventRules.map(
      (rule) =>
        `  event rule    ${rule.name} → ${rule.targets.map((target) => fnLabel(target.arn)).join(', ')}`,
    ),
  ];
};

/** Which code runs the functions: the banner says it, since the two modes catch different bugs. */
export const functionsLine = (runtime: LocalRuntime): string => {
  if (!runtime.bundled) {
    return 'Functions: the TypeScript sources, in this process (--bundled runs the cdk synth bundles instead).';
  }
  const [first] = runtime.sandboxes();
  const where = first ? path.dirname(first.bundle) : 'a temporary directory';
  return `Functions: the bundles cdk synth wrote (in ${where}), each in its own Node.js ${first?.nodeVersion ?? ''} process.`;
};

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * One `local up` per --state-dir: a second would start a second DynamoDB Local on the same files
 * and overwrite env.sh. The lock is a pid file, taken with an exclusive create; one left by a
 * process that is gone (killed with -9) is taken over.
 */
export const lockStateDir = (stateDir: string): void => {
  mkdirSync(stateDir, { recursive: true });
  const lock = path.join(stateDir, 'local-up.pid');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
      process.once('exit', () => rmSync(lock, { force: true }));
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lock, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && isRunning(holder)) {
        throw new UsageError(
          `another \`orderflow local up\` (pid ${holder}) is using ${stateDir}: stop it, or pass another --state-dir`,
        );
      }
      rmSync(lock, { force: true });
    }
  }
};

/** `orderflow local up`: keeps the runtime running until Ctrl-C or SIGTERM. */
export const runLocalUp = async (options: LocalUpOptions): Promise<number> => {
  const out = options.out ?? process.stdout;
  if (options.stateDir) lockStateDir(path.resolve(options.stateDir));
  out.write(
    options.bundled
      ? 'Starting the orderflow local runtime with the functions bundled as cdk synth bundles them (esbuild per function)…\n'
      : 'Starting the orderflow local runtime…\n',
  );
  const { runtime, interrupted } = await startStoppableRuntime(
    {
      port: options.port,
      timeScale: options.timeScale,
      bundled: options.bundled,
      ...(options.stateDir ? { stateDir: options.stateDir } : {}),
      ...(options.chaos ? { chaos: options.chaos } : {}),
      log: (message) => out.write(`[runtime] ${message}\n`),
    },
    () => out.write('\nStopping the local runtime…\n'),
  );
  // Interrupted while starting: the signal handler is stopping it and will exit.
  if (interrupted()) return new Promise<never>(() => undefined);
  const env = localEnvironment(runtime);
  writeSupportFiles(runtime, env);
  const names = runtime.outputs;
  const lines = [
    '',
    `orderflow local runtime is up. Endpoint for S3, SQS, SNS, DynamoDB and Step Functions: ${runtime.endpoint}`,
    functionsLine(runtime),
    '',
    `In another shell (or: source ${path.join(runtime.stateDir, 'env.sh')}):`,
    ...Object.entries({ ...env, ...outputVariables(runtime.outputs) }).map(
      ([key, value]) => `  export ${key}=${value}`,
    ),
    '',
    'Resources (from the synthesized CDK app):',
    ...resourceLines(runtime),
    '',
    'Try:',
    `  aws s3 cp samples/orders.jsonl s3://${names.IngestBucketName}/incoming/orders.jsonl`,
    `  aws dynamodb scan --table-name ${names.OrdersTableName} --query 'Items[].[orderId.S,status.S]' --output text`,
    `  aws stepfunctions list-executions --state-machine-arn ${names.StateMachineArn}`,
    `  aws sqs get-queue-attributes --endpoint-url ${runtime.endpoint} --queue-url ${names.OrdersDlqUrl} --attribute-names All`,
    '    (AWS CLI v1 ignores AWS_ENDPOINT_URL_SQS: it pins SQS in us-east-1 to queue.amazonaws.com, so pass --endpoint-url)',
    '  npx orderflow order <orderId>             (also: orders, dlq list, upload --wait; npx orderflow --help)',
    '  npx orderflow verify                      (every guarantee, checked against what the pipeline left)',
    '',
    `State: ${runtime.stateDir}${runtime.persistent ? ' (kept: DynamoDB data survives restarts)' : ' (temporary: removed on exit)'}.`,
    'S3, SQS and SNS live in fauxqs memory: buckets, queues and their contents start empty on every run.',
    `Function logs: ${runtime.logDir}. Saga timing ×${runtime.timeScale}. Ctrl-C stops everything.`,
    ...(runtime.chaos
      ? [
          `Chaos: faults injected at rate ${runtime.chaos.rate}, seed ${runtime.chaos.seed}; each is logged above as "chaos <kind>".`,
        ]
      : []),
    '',
  ];
  out.write(lines.join('\n'));
  // Runs until a signal: the handler stops the runtime and exits.
  await new Promise<never>(() => undefined);
  return 0;
};
