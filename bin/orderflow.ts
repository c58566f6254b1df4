import { Command, InvalidArgumentError } from 'commander';
import { runDemo } from '../local/cli/demo';
import { runLocalUp } from '../local/cli/local-up';
import { quietSdkNodeWarning, runCommand } from '../local/cli/run';

quietSdkNodeWarning();

const positiveNumber = (value: string): number => {
  const parsed = Number(value);
  if (!(parsed > 0)) throw new InvalidArgumentError('must be a positive number');
  return parsed;
};

const program = new Command()
  .name('orderflow')
  .description(
    'Operate the orderflow pipeline: locally (no AWS account) or, later, against a deployed stack.',
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
  .action(
    (options: {
      timeScale: number;
      timeout: number;
      orders?: string;
      inventory?: string;
      stateDir?: string;
    }) =>
      runCommand(() =>
        runDemo({
          timeScale: options.timeScale,
          timeoutSeconds: options.timeout,
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
  .action((options: { port: number; stateDir?: string; timeScale: number }) =>
    runCommand(() =>
      runLocalUp({
        port: options.port,
        timeScale: options.timeScale,
        ...(options.stateDir ? { stateDir: options.stateDir } : {}),
      }),
    ),
  );

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(
    `orderflow: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
