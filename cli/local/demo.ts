import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/project-root';
import type { LocalRuntime } from '../../local/runtime';
import { readStockCsv, seedInventory } from '../seed/seed';
import { type CliClients, makeCliClients } from '../shared/clients';
import { failureQueues, labelOf, namesFromOutputs } from '../shared/names';
import { peekMessages } from '../shared/queue-messages';
import { uploadFile } from '../upload/upload';
import { functionsLine } from './local-up';
import { Progress } from './progress';
import { settleTargetOf, waitUntilSettled } from './settle';
import { startStoppableRuntime } from './signals';
import { formatDemoReport } from './summary';

export interface DemoOptions {
  /** Saga timing factor. */
  readonly timeScale: number;
  /** Give up waiting for the pipeline after this long. */
  readonly timeoutSeconds: number;
  readonly ordersFile?: string;
  readonly inventoryFile?: string;
  readonly stateDir?: string;
  /** Run the cdk synth bundles in sandbox processes (LocalRuntimeOptions.bundled). @default false */
  readonly bundled?: boolean;
  readonly out?: NodeJS.WriteStream;
}

const describeTopology = (runtime: LocalRuntime): string => {
  const t = runtime.topology;
  const parts = [
    `${t.buckets.length} buckets`,
    `${t.queues.length} queues`,
    `${t.tables.length} tables`,
    `${t.topics.length} topics`,
    `${t.functions.length} functions`,
    `${t.eventSourceMappings.length} event source mapping(s)`,
    `${t.stateMachines.length} state machine(s)`,
    `${t.eventRules.length} event rule(s)`,
  ];
  return `From the synthesized CDK app: ${parts.join(', ')}.`;
};

const serviceName = (runtime: LocalRuntime, functionName: string): string => {
  const fn = runtime.topology.functions.find((candidate) => candidate.name === functionName);
  return fn?.environment.POWERTOOLS_SERVICE_NAME ?? (fn ? labelOf(fn) : functionName);
};

const localBase = ({ aws }: LocalRuntime) => ({
  region: aws.region,
  credentials: { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey },
});

const runPipeline = async (
  runtime: LocalRuntime,
  options: DemoOptions,
  out: NodeJS.WriteStream,
  begin: number,
): Promise<number> => {
  const names = namesFromOutputs(runtime.outputs);
  // What a user's program would use: the counted local endpoint.
  const user: CliClients = makeCliClients(
    {
      s3: runtime.endpoint,
      sqs: runtime.endpoint,
      dynamodb: runtime.endpoint,
      sfn: runtime.endpoint,
    },
    localBase(runtime),
  );
  // Watching the pipeline is the demo's own business: straight to the stand-ins, not counted.
  const watcher: CliClients = makeCliClients(
    {
      s3: runtime.direct.fauxqs,
      sqs: runtime.direct.fauxqs,
      dynamodb: runtime.direct.dynamodb,
      sfn: runtime.direct.sfn,
    },
    localBase(runtime),
  );
  try {
    const inventoryFile = options.inventoryFile ?? path.join(PROJECT_ROOT, 'samples', 'inventory.csv');
    const ordersFile = options.ordersFile ?? path.join(PROJECT_ROOT, 'samples', 'orders.jsonl');
    const seeded = await seedInventory(
      user.dynamodb,
      names.inventoryTable,
      await readStockCsv(inventoryFile),
    );
    out.write(
      `Seeded ${seeded} skus from ${path.relative(process.cwd(), inventoryFile)} into ${names.inventoryTable}.\n`,
    );

    const uploadedAt = Date.now();
    const upload = await uploadFile(user.s3, names.ingestBucket, ordersFile);
    out.write(
      `Uploaded ${path.relative(process.cwd(), ordersFile)} to s3://${names.ingestBucket}/${upload.key}; waiting for every order to settle:\n`,
    );

    const progress = new Progress(out);
    const { view, unsettled } = await waitUntilSettled(settleTargetOf(runtime, watcher, names, upload.key), {
      deadline: uploadedAt + options.timeoutSeconds * 1000,
      onView: (v) => progress.update(v),
    });
    progress.done();
    const settleMs = Date.now() - uploadedAt;

    const dlq = runtime.topology.queues.find((queue) => queue.url === names.ordersDlqUrl);
    const report = formatDemoReport({
      upload: {
        file: path.relative(process.cwd(), ordersFile),
        bucket: names.ingestBucket,
        key: upload.key,
        bytes: upload.bytes,
      },
      view,
      deadLetters: {
        label: `Dead-letter queue ${dlq ? labelOf(dlq) : names.ordersDlqUrl}`,
        messages: await peekMessages(watcher.sqs, names.ordersDlqUrl),
      },
      failureQueues: await Promise.all(
        failureQueues(runtime.topology).map(async (queue) => ({
          label: `Failure queue ${labelOf(queue)}`,
          messages: await peekMessages(watcher.sqs, queue.url),
        })),
      ),
      asyncFailures: runtime.asyncFailures(),
      apiCalls: runtime.apiCalls(),
      invocations: [...runtime.invocations()].map(([name, stats]) => ({
        name: serviceName(runtime, name),
        ...stats,
      })),
      timings: { startupMs: uploadedAt - begin, settleMs },
      timeScale: runtime.timeScale,
      ...(unsettled ? { unsettled } : {}),
    });
    out.write(`${report.join('\n')}\n`);
    if (unsettled) {
      out.write(
        `Function logs: ${runtime.logDir}${runtime.persistent ? '' : ' (removed on exit; keep them with --state-dir)'}\n`,
      );
    }
    return unsettled ? 1 : 0;
  } finally {
    user.destroy();
    watcher.destroy();
  }
};

/**
 * `npm start`: the whole pipeline on this machine. Seeds inventory, uploads the sample orders like
 * a user would, shows progress, waits until every order is final (or the deadline), prints the
 * summary and stops everything. Returns the exit code: 0 when the pipeline settled.
 */
export const runDemo = async (options: DemoOptions): Promise<number> => {
  const out = options.out ?? process.stdout;
  const begin = Date.now();
  out.write(
    options.bundled
      ? 'orderflow demo: synthesizing the CDK app with its function bundles (esbuild per function, as cdk synth) and starting the local runtime (fauxqs, DynamoDB Local, Step Functions)…\n'
      : 'orderflow demo: synthesizing the CDK app and starting the local runtime (fauxqs, DynamoDB Local, Step Functions)…\n',
  );
  const { runtime, release, interrupted } = await startStoppableRuntime(
    {
      timeScale: options.timeScale,
      bundled: options.bundled ?? false,
      ...(options.stateDir ? { stateDir: options.stateDir } : {}),
      log: (message) => out.write(`  [runtime] ${message}\n`),
    },
    () => out.write('\nStopping the local runtime…\n'),
  );
  // Interrupted while starting: the signal handler is stopping it and will exit.
  if (interrupted()) return new Promise<never>(() => undefined);
  try {
    out.write(
      `${describeTopology(runtime)} Local endpoint ${runtime.endpoint}; saga timing ×${runtime.timeScale}.\n${functionsLine(runtime)}\n`,
    );
    return await runPipeline(runtime, options, out, begin);
  } finally {
    release();
    await runtime.stop();
  }
};
