import '../lib/require-node';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Command, type CommanderError, InvalidArgumentError } from 'commander';
import { EXIT } from '../cli/shared/errors';
import { port, positiveInteger, positiveNumber, rate, sinceTime, wholeNumber } from '../cli/shared/numbers';
import { guardPipes, runCommand } from '../cli/shared/run';
import type { Target, TargetOptions } from '../cli/shared/target';
import { OUTAGE_KINDS, type OutageKind } from '../functions/shared/adapters/provider-books';

// Each command loads its modules when it runs: `--help`, `--version` and a usage error start fast,
// and no command but demo, local up and chaos loads the local runtime (or the CDK).
const { version } = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as {
  version: string;
};

const BUNDLED_HELP =
  'run the bundles cdk synth writes, each function in its own Node.js process, instead of the TypeScript sources';

guardPipes();
const program = new Command()
  .name('orderflow')
  .description(
    'Operate the orderflow pipeline: locally (no AWS account) or against a deployed stage (--stage, --stack, --outputs).',
  )
  .version(version, '--version', 'print the version')
  .showHelpAfterError('(add --help for usage)')
  // A usage error exits 2 (README, "Exit codes"); --help and --version exit 0.
  .exitOverride((error: CommanderError) => {
    process.exit(error.exitCode === 0 ? EXIT.ok : EXIT.usage);
  });

/**
 * Target selection, the same on every command that talks to a pipeline (cli/shared/target.ts):
 * a deployed stage by --stage or --stack, a stack-outputs file, or the local runtime's variables.
 */
const targetCommand = (parent: Command, nameAndArgs: string, description: string): Command =>
  parent
    .command(nameAndArgs)
    .description(description)
    .option('--stage <name>', 'a deployed stage (dev, prod): names from its stacks’ outputs (DescribeStacks)')
    .option(
      '--stack <name>',
      'a deployed stack to read outputs from (repeatable; instead of --stage)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option(
      '--outputs <file>',
      'stack outputs as JSON: `cdk deploy --all --outputs-file`, or $ORDERFLOW_OUTPUTS, which `local up` sets',
    )
    .option('--region <region>', 'AWS region (default: AWS_REGION, or the profile’s)')
    .option('--profile <name>', 'a named AWS profile (default: AWS_PROFILE)');

/** Resolves the target from the command's options, runs the work, and always closes the clients. */
const withTarget = (options: TargetOptions, work: (target: Target) => Promise<number>) =>
  runCommand(async () => {
    const target = await (await import('../cli/shared/target')).resolveTarget(options);
    try {
      return await work(target);
    } finally {
      target.clients.destroy();
    }
  });

program
  .command('demo')
  .description(
    'run the whole pipeline locally on the sample files and print a summary (what `npm start` runs)',
  )
  .option(
    '--time-scale <factor>',
    'saga timing factor: retries, waits and timeouts × this',
    positiveNumber,
    0.1,
  )
  .option(
    '--timeout <seconds>',
    'give up if the pipeline has not settled after this long',
    positiveNumber,
    50,
  )
  .option('--orders <file>', 'orders file to upload (default samples/orders.jsonl)')
  .option('--inventory <file>', 'inventory CSV to seed (default samples/inventory.csv)')
  .option('--state-dir <dir>', 'keep DynamoDB data and function logs in this directory')
  .option('--bundled', BUNDLED_HELP, false)
  .action(
    (options: {
      timeScale: number;
      timeout: number;
      orders?: string;
      inventory?: string;
      stateDir?: string;
      bundled: boolean;
    }) =>
      runCommand(async () =>
        (await import('../cli/local/demo')).runDemo({
          timeScale: options.timeScale,
          timeoutSeconds: options.timeout,
          bundled: options.bundled,
          ...(options.orders ? { ordersFile: options.orders } : {}),
          ...(options.inventory ? { inventoryFile: options.inventory } : {}),
          ...(options.stateDir ? { stateDir: options.stateDir } : {}),
        }),
      ),
  );

const local = program.command('local').description('the local runtime: the whole pipeline on this machine');
local
  .command('up')
  .description('start the local runtime and keep it running; prints the endpoint and the variables to export')
  .option('--port <port>', 'port of the local endpoint (all services), 1–65535', port, 4566)
  .option('--state-dir <dir>', 'keep DynamoDB data and function logs here between runs (default: temporary)')
  .option(
    '--time-scale <factor>',
    'saga timing factor (1 = the real retry intervals and timeouts)',
    positiveNumber,
    1,
  )
  .option('--bundled', BUNDLED_HELP, false)
  .option('--chaos <rate>', 'inject faults at this rate (0–1), as `orderflow chaos` does', rate)
  .option('--seed <s>', 'seed of the injected faults (with --chaos)', wholeNumber, 1)
  .action(
    (options: {
      port: number;
      stateDir?: string;
      timeScale: number;
      bundled: boolean;
      chaos?: number;
      seed: number;
    }) =>
      runCommand(async () =>
        (await import('../cli/local/local-up')).runLocalUp({
          port: options.port,
          timeScale: options.timeScale,
          bundled: options.bundled,
          ...(options.stateDir ? { stateDir: options.stateDir } : {}),
          ...(options.chaos === undefined ? {} : { chaos: { rate: options.chaos, seed: options.seed } }),
        }),
      ),
  );

targetCommand(program, 'seed <csv>', 'put every sku,available row of a CSV into the inventory table')
  .option('--dry-run', 'only say what would be written (old → new, on hand, what orders hold)', false)
  .option(
    '--force',
    'write even a count below what orders in flight or needing attention hold (their available becomes 0)',
    false,
  )
  .action((csv: string, options: TargetOptions & { dryRun: boolean; force: boolean }) =>
    withTarget(options, async (target) =>
      (await import('../cli/seed/seed')).runSeed(
        target,
        csv,
        {
          dryRun: options.dryRun,
          force: options.force,
          // --outputs names a deployed stage's outputs file; the local runtime is found through ORDERFLOW_OUTPUTS.
          deployed: Boolean(options.stage || (options.stack && options.stack.length > 0) || options.outputs),
        },
        process.stdout,
        process.stderr,
      ),
    ),
  );

targetCommand(program, 'upload <file>', 'upload an order file to the ingest bucket under incoming/')
  .option('--key <key>', 'object key (default incoming/<file name>)')
  .option(
    '--force',
    'upload even a key ingest will not read (outside incoming/, an unknown extension)',
    false,
  )
  .option('--wait', 'follow the file through ingest and print its rejects summary', false)
  .option('--timeout <seconds>', 'with --wait: give up after this long', positiveNumber, 120)
  .action(
    (
      file: string,
      options: TargetOptions & { key?: string; force: boolean; wait: boolean; timeout: number },
    ) =>
      withTarget(options, async ({ clients, names }) => {
        const { checkKey, incomingKey, uploadFile } = await import('../cli/upload/upload');
        const { waitForIngest } = await import('../cli/upload/wait');
        const key = options.key ?? incomingKey(file);
        checkKey(key, options.force);
        const uploaded = await uploadFile(clients.s3, names.ingestBucket, file, key, {
          progress: process.stderr,
        });
        process.stdout.write(
          `Uploaded ${file} to s3://${names.ingestBucket}/${uploaded.key} (${uploaded.bytes} bytes)\n`,
        );
        if (!options.wait) return EXIT.ok;
        return waitForIngest(
          clients.s3,
          names.ingestBucket,
          uploaded.key,
          { timeoutSeconds: options.timeout },
          process.stdout,
        );
      }),
  );

targetCommand(
  program,
  'start <file>',
  'start the saga for one order from a JSON file (name = orderId)',
).action((file: string, options: TargetOptions) =>
  withTarget(options, async (target) =>
    (await import('../cli/start/start')).startFromFile(target, file, process.stdout),
  ),
);

targetCommand(
  program,
  'order <orderId>',
  "an order's status and timeline, payment ledger, the provider's books, its saga execution, DLQ message and rejects entry",
)
  .alias('status')
  .option('--json', 'print the result as JSON', false)
  .action((orderId: string, options: TargetOptions & { json: boolean }) =>
    withTarget(options, async (target) =>
      (await import('../cli/order/order')).showOrder(target, orderId, { json: options.json }, process.stdout),
    ),
  );

targetCommand(
  program,
  'orders',
  'orders by status, newest change first (a query of the ByStatus index, never a scan)',
)
  .option('--status <status>', 'only this status, e.g. NEEDS_ATTENTION (default: every status)')
  .option('--since <time>', 'changed at or after: ISO 8601, or back from now: 15m, 6h, 2d', (value: string) =>
    sinceTime(value),
  )
  .option('--limit <n>', 'at most this many', positiveInteger, 100)
  .option('--json', 'print the result as JSON', false)
  .action((options: TargetOptions & { status?: string; since?: string; limit: number; json: boolean }) =>
    withTarget(options, async (target) =>
      (await import('../cli/order/orders')).listOrders(
        target,
        {
          limit: options.limit,
          json: options.json,
          ...(options.status ? { status: options.status } : {}),
          ...(options.since ? { since: options.since } : {}),
        },
        process.stdout,
      ),
    ),
  );

const dlqFilterOptions = (command: Command): Command =>
  command
    .option(
      '--queue-url <url>',
      'the DLQ to read (default: the target’s), e.g. one kept after its stack was deleted',
    )
    .option('--order <orderId>', 'only this order’s messages')
    .option('--error <text>', 'only messages whose error type or reason contains this')
    .option('--json', 'print the result as JSON', false);

interface DlqCommandOptions extends TargetOptions {
  queueUrl?: string;
  order?: string;
  error?: string;
  json: boolean;
  max: number;
}
const dlqOptions = (options: DlqCommandOptions) => ({
  json: options.json,
  max: options.max,
  ...(options.queueUrl ? { queueUrl: options.queueUrl } : {}),
  filter: {
    ...(options.order ? { orderId: options.order } : {}),
    ...(options.error ? { error: options.error } : {}),
  },
});

const dlq = program.command('dlq').description('the orders dead-letter queue');
dlqFilterOptions(
  targetCommand(dlq, 'list', 'list the messages in the DLQ with why they are there (leaves them visible)'),
)
  .option('--max <n>', 'read at most this many', positiveInteger, 100)
  .action((options: DlqCommandOptions) =>
    withTarget(options, async (target) =>
      (await import('../cli/dlq/dlq')).listDlq(target, dlqOptions(options), process.stdout),
    ),
  );
dlqFilterOptions(
  targetCommand(
    dlq,
    'redrive',
    'move DLQ messages back to orders.fifo (same group, fresh dedup id), in pages',
  ),
)
  .option('--dry-run', 'only list what would move (leaves the messages visible)', false)
  .option('--max <n>', 'move at most this many', positiveInteger, 100)
  .action((options: DlqCommandOptions & { dryRun: boolean }) =>
    withTarget(options, async (target) =>
      (await import('../cli/dlq/dlq')).redriveDlq(
        target,
        {
          ...dlqOptions(options),
          dryRun: options.dryRun,
          ...(process.stderr.isTTY && !options.json
            ? { progress: (line: string) => process.stderr.write(`\r\x1b[2K${line}`) }
            : {}),
        },
        process.stdout,
      ),
    ),
  );

targetCommand(
  program,
  'verify',
  "check every guarantee against the external records: files, rejects reports, tables, DLQ, executions, the provider's books",
)
  .option('--json', 'print the result as JSON', false)
  .option(
    '--logs <dir>',
    'function logs to check the NEEDS_ATTENTION metric against (`local up` prints the directory)',
  )
  .action((options: TargetOptions & { json: boolean; logs?: string }) =>
    withTarget(options, async ({ clients, names }) => {
      const logDir = options.logs ?? process.env.ORDERFLOW_LOG_DIR;
      const { formatVerify, verify } = await import('../cli/verify/verify');
      const result = await verify(clients, names, logDir ? { logDir } : {});
      process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : formatVerify(result));
      return result.violations.length === 0 ? EXIT.ok : EXIT.badState;
    }),
  );

targetCommand(
  program,
  'repair <orderId>',
  'settle a NEEDS_ATTENTION order: redrive its saga execution (which runs again exactly the step still owed), or, when it cannot be redriven, start a repair execution for what the records say is owed',
)
  .option('--wait', 'wait for the redriven or repair execution to end and print the order status', false)
  .action((orderId: string, options: TargetOptions & { wait: boolean }) =>
    withTarget(options, async ({ clients, names }) =>
      (await import('../cli/repair/repair')).repairOrder(clients, names, orderId, process.stdout, {
        wait: options.wait,
      }),
    ),
  );

const outage = program
  .command('sim')
  .description("the simulated payment provider and carrier (their books in the provider's table)")
  .command('outage')
  .description('start or end an outage of the simulated provider: refunds (and voids), or cancellations');
const outageKind = (value: string): OutageKind => {
  const kind = OUTAGE_KINDS.find((known) => known === value);
  if (kind === undefined) throw new InvalidArgumentError(`must be one of ${OUTAGE_KINDS.join(', ')}`);
  return kind;
};
targetCommand(outage, 'start', 'the provider stops answering calls of this kind')
  .argument('<kind>', 'refunds | cancellations', outageKind)
  .option('--note <text>', 'why, kept with the outage')
  .action((kind: OutageKind, options: TargetOptions & { note?: string }) =>
    withTarget(options, async ({ clients, names }) => {
      const { formatOutage, startOutage } = await import('../cli/sim/outage');
      const started = await startOutage(
        clients.dynamodb,
        names.providerTable,
        kind,
        new Date(),
        options.note,
      );
      process.stdout.write(`${formatOutage(started.kind, started)}\n`);
      return EXIT.ok;
    }),
  );
targetCommand(outage, 'end', 'the provider answers calls of this kind again')
  .argument('<kind>', 'refunds | cancellations', outageKind)
  .action((kind: OutageKind, options: TargetOptions) =>
    withTarget(options, async ({ clients, names }) => {
      const { endOutage } = await import('../cli/sim/outage');
      const ended = await endOutage(clients.dynamodb, names.providerTable, kind);
      process.stdout.write(ended ? `${kind}: outage ended (since ${ended.since})\n` : `${kind}: no outage\n`);
      return EXIT.ok;
    }),
  );
targetCommand(outage, 'status', 'which kinds of call the provider answers').action((options: TargetOptions) =>
  withTarget(options, async ({ clients, names }) => {
    const { formatOutage, outageStatus } = await import('../cli/sim/outage');
    for (const { kind, outage: current } of await outageStatus(clients.dynamodb, names.providerTable)) {
      process.stdout.write(`${formatOutage(kind, current)}\n`);
    }
    return EXIT.ok;
  }),
);

program
  .command('chaos')
  .description(
    'a self-contained run on a fresh local state: generate a feed, upload it, inject faults, settle, verify',
  )
  .option('--orders <n>', 'orders in the generated feed', positiveInteger, 1000)
  .option('--rate <r>', 'probability of a fault at each opportunity (0–1)', rate, 0.1)
  .option('--seed <s>', 'seed of the feed and of the faults', wholeNumber, 1)
  .option('--time-scale <factor>', 'saga and retry timing factor', positiveNumber, 0.05)
  .option('--json', 'print the result as JSON', false)
  .action((options: { orders: number; rate: number; seed: number; timeScale: number; json: boolean }) =>
    runCommand(async () => {
      const { formatChaos, runChaos } = await import('../cli/chaos/run');
      const result = await runChaos({
        orders: options.orders,
        rate: options.rate,
        seed: options.seed,
        timeScale: options.timeScale,
        ...(options.json ? {} : { progress: (line: string) => process.stderr.write(`${line}\n`) }),
      });
      process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : formatChaos(result));
      return result.violations.length === 0 ? EXIT.ok : EXIT.badState;
    }),
  );

program.parseAsync(process.argv).catch((error: unknown) => {
  // runCommand handles every command's errors; this is commander's own, or a bug.
  process.stderr.write(
    `orderflow: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = EXIT.internal;
});
