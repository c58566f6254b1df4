import '../lib/require-node';
import { Command, InvalidArgumentError } from 'commander';
import { formatChaos, runChaos } from '../cli/chaos/run';
import { repairOrder } from '../cli/repair/repair';
import { endOutage, formatOutage, outageStatus, parseOutageKind, startOutage } from '../cli/sim/outage';
import { formatVerify, verify } from '../cli/verify/verify';
import type { OutageKind } from '../functions/shared/adapters/provider-books';
import { runDemo } from '../local/cli/demo';
import { listDlq, redriveDlq } from '../local/cli/dlq';
import { runLocalUp } from '../local/cli/local-up';
import { runCommand } from '../local/cli/run';
import { readStockCsv, seedInventory } from '../local/cli/seed';
import { startFromFile } from '../local/cli/start';
import { showStatus } from '../local/cli/status';
import { resolveTarget, type Target } from '../local/cli/target';
import { incomingKey, uploadFile } from '../local/cli/upload';

const seedNumber = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('must be a whole number ≥ 0');
  return parsed;
};

const rateNumber = (value: string): number => {
  const parsed = Number(value);
  if (!(parsed >= 0 && parsed <= 1)) throw new InvalidArgumentError('must be a number from 0 to 1');
  return parsed;
};

const positiveInteger = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('must be a whole number ≥ 1');
  return parsed;
};

const positiveNumber = (value: string): number => {
  const parsed = Number(value);
  if (!(parsed > 0)) throw new InvalidArgumentError('must be a positive number');
  return parsed;
};

const BUNDLED_HELP =
  'run the bundles cdk synth writes, each function in its own Node.js process, instead of the TypeScript sources';

const program = new Command()
  .name('orderflow')
  .description(
    'Operate the orderflow pipeline: locally (no AWS account) or against a deployed stage (--outputs).',
  )
  .showHelpAfterError();

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
      runCommand(() =>
        runDemo({
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
  .option('--port <port>', 'port of the local endpoint (all services)', positiveNumber, 4566)
  .option('--state-dir <dir>', 'keep DynamoDB data and function logs here between runs (default: temporary)')
  .option(
    '--time-scale <factor>',
    'saga timing factor (1 = the real retry intervals and timeouts)',
    positiveNumber,
    1,
  )
  .option('--bundled', BUNDLED_HELP, false)
  .option('--chaos <rate>', 'inject faults at this rate (0–1), as `orderflow chaos` does', rateNumber)
  .option('--seed <s>', 'seed of the injected faults (with --chaos)', seedNumber, 1)
  .action(
    (options: {
      port: number;
      stateDir?: string;
      timeScale: number;
      bundled: boolean;
      chaos?: number;
      seed: number;
    }) =>
      runCommand(() =>
        runLocalUp({
          port: options.port,
          timeScale: options.timeScale,
          bundled: options.bundled,
          ...(options.stateDir ? { stateDir: options.stateDir } : {}),
          ...(options.chaos === undefined ? {} : { chaos: { rate: options.chaos, seed: options.seed } }),
        }),
      ),
  );

const withTarget = (work: (target: Target) => Promise<number>) => (options: { outputs?: string }) =>
  runCommand(async () => {
    const target = resolveTarget(options.outputs);
    try {
      return await work(target);
    } finally {
      target.clients.destroy();
    }
  });
const OUTPUTS_HELP =
  'stack outputs as JSON: `cdk deploy --all --outputs-file`, or $ORDERFLOW_OUTPUTS, which `local up` prints';

program
  .command('seed <csv>')
  .description('put every sku,available row of a CSV into the inventory table')
  .option('--outputs <file>', OUTPUTS_HELP)
  .action((csv: string, options: { outputs?: string }) =>
    withTarget(async ({ clients, names }) => {
      const count = await seedInventory(clients.dynamodb, names.inventoryTable, await readStockCsv(csv));
      process.stdout.write(`Seeded ${count} skus into ${names.inventoryTable}\n`);
      return 0;
    })(options),
  );

program
  .command('upload <file>')
  .description('upload an order file to the ingest bucket under incoming/')
  .option('--key <key>', 'object key (default incoming/<file name>)')
  .option('--outputs <file>', OUTPUTS_HELP)
  .action((file: string, options: { key?: string; outputs?: string }) =>
    withTarget(async ({ clients, names }) => {
      const uploaded = await uploadFile(
        clients.s3,
        names.ingestBucket,
        file,
        options.key ?? incomingKey(file),
      );
      process.stdout.write(
        `Uploaded ${file} to s3://${names.ingestBucket}/${uploaded.key} (${uploaded.bytes} bytes)\n`,
      );
      return 0;
    })(options),
  );

program
  .command('start <file>')
  .description('start the saga for one order from a JSON file (name = orderId)')
  .option('--outputs <file>', OUTPUTS_HELP)
  .action((file: string, options: { outputs?: string }) =>
    withTarget((target) => startFromFile(target, file, process.stdout))(options),
  );

program
  .command('status <orderId>')
  .description("an order's status, reason and timeline, and its saga execution")
  .option('--outputs <file>', OUTPUTS_HELP)
  .action((orderId: string, options: { outputs?: string }) =>
    withTarget((target) => showStatus(target, orderId, process.stdout))(options),
  );

const dlq = program.command('dlq').description('the orders dead-letter queue');
dlq
  .command('list')
  .description('list the messages in the DLQ with their error attributes')
  .option('--outputs <file>', OUTPUTS_HELP)
  .action((options: { outputs?: string }) =>
    withTarget((target) => listDlq(target, process.stdout))(options),
  );
dlq
  .command('redrive')
  .description('move DLQ messages back to orders.fifo (same group, fresh dedup id)')
  .option('--dry-run', 'only list what would move', false)
  .option('--max <n>', 'move at most this many', positiveNumber, 100)
  .option('--outputs <file>', OUTPUTS_HELP)
  .action((options: { dryRun: boolean; max: number; outputs?: string }) =>
    withTarget((target) => redriveDlq(target, { dryRun: options.dryRun, max: options.max }, process.stdout))(
      options,
    ),
  );

program
  .command('verify')
  .description(
    "check every guarantee against the external records: files, rejects reports, tables, DLQ, executions, the provider's books",
  )
  .option('--json', 'print the result as JSON', false)
  .option(
    '--logs <dir>',
    'function logs to check the NEEDS_ATTENTION metric against (`local up` prints the directory)',
  )
  .option('--outputs <file>', OUTPUTS_HELP)
  .action((options: { json: boolean; logs?: string; outputs?: string }) =>
    withTarget(async ({ clients, names }) => {
      const logDir = options.logs ?? process.env.ORDERFLOW_LOG_DIR;
      const result = await verify(clients, names, logDir ? { logDir } : {});
      process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : formatVerify(result));
      return result.violations.length === 0 ? 0 : 1;
    })(options),
  );

program
  .command('repair <orderId>')
  .description(
    'settle a NEEDS_ATTENTION order: redrive its saga execution, which runs again exactly the step still owed',
  )
  .option('--wait', 'wait for the redriven execution to end and print the order status', false)
  .option('--outputs <file>', OUTPUTS_HELP)
  .action((orderId: string, options: { wait: boolean; outputs?: string }) =>
    withTarget(({ clients, names }) =>
      repairOrder(clients, names, orderId, process.stdout, { wait: options.wait }),
    )(options),
  );

const outage = program
  .command('sim')
  .description("the simulated payment provider and carrier (their books in the provider's table)")
  .command('outage')
  .description('start or end an outage of the simulated provider: refunds (and voids), or cancellations');
const outageKind = (value: string) => {
  try {
    return parseOutageKind(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
};
outage
  .command('start')
  .description('the provider stops answering calls of this kind')
  .argument('<kind>', 'refunds | cancellations', outageKind)
  .option('--note <text>', 'why, kept with the outage')
  .option('--outputs <file>', OUTPUTS_HELP)
  .action((kind: OutageKind, options: { note?: string; outputs?: string }) =>
    withTarget(async ({ clients, names }) => {
      const started = await startOutage(
        clients.dynamodb,
        names.providerTable,
        kind,
        new Date(),
        options.note,
      );
      process.stdout.write(`${formatOutage(started.kind, started)}\n`);
      return 0;
    })(options),
  );
outage
  .command('end')
  .description('the provider answers calls of this kind again')
  .argument('<kind>', 'refunds | cancellations', outageKind)
  .option('--outputs <file>', OUTPUTS_HELP)
  .action((parsed: OutageKind, options: { outputs?: string }) =>
    withTarget(async ({ clients, names }) => {
      const ended = await endOutage(clients.dynamodb, names.providerTable, parsed);
      process.stdout.write(
        ended ? `${parsed}: outage ended (since ${ended.since})\n` : `${parsed}: no outage\n`,
      );
      return 0;
    })(options),
  );
outage
  .command('status')
  .description('which kinds of call the provider answers')
  .option('--outputs <file>', OUTPUTS_HELP)
  .action((options: { outputs?: string }) =>
    withTarget(async ({ clients, names }) => {
      for (const { kind, outage: current } of await outageStatus(clients.dynamodb, names.providerTable)) {
        process.stdout.write(`${formatOutage(kind, current)}\n`);
      }
      return 0;
    })(options),
  );

program
  .command('chaos')
  .description(
    'a self-contained run on a fresh local state: generate a feed, upload it, inject faults, settle, verify',
  )
  .option('--orders <n>', 'orders in the generated feed', positiveInteger, 1000)
  .option('--rate <r>', 'probability of a fault at each opportunity (0–1)', rateNumber, 0.1)
  .option('--seed <s>', 'seed of the feed and of the faults', seedNumber, 1)
  .option('--time-scale <factor>', 'saga and retry timing factor', positiveNumber, 0.05)
  .option('--json', 'print the result as JSON', false)
  .action((options: { orders: number; rate: number; seed: number; timeScale: number; json: boolean }) =>
    runCommand(async () => {
      const result = await runChaos({
        orders: options.orders,
        rate: options.rate,
        seed: options.seed,
        timeScale: options.timeScale,
        ...(options.json ? {} : { progress: (line: string) => process.stderr.write(`${line}\n`) }),
      });
      process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : formatChaos(result));
      return result.violations.length === 0 ? 0 : 1;
    }),
  );

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(
    `orderflow: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
