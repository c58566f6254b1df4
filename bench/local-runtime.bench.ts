/**
 * The sections measured through the local runtime (issue 11 §5–§7): end to end, cost per million
 * orders (priced from the same run) and the flash sale. Called at the end of bench/ingest.bench.ts's
 * main; runs alone with `npx tsx bench/local-runtime.bench.ts [--quick]`.
 *
 * Full mode: 1,000 orders each (BENCH_E2E_ORDERS / BENCH_FLASH_ORDERS override); --quick: 200.
 * Writes bench/results/end-to-end.json, cost.json and flash-sale.json.
 */
import '../lib/require-node';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchEndToEnd, printCost, printEndToEnd } from './end-to-end';
import { benchFlashSale, printFlashSale } from './flash-sale';

const write = (out: string, file: string, body: Record<string, unknown>): void => {
  writeFileSync(
    join(out, file),
    `${JSON.stringify({ measuredAt: new Date().toISOString(), node: process.version, ...body }, null, 2)}\n`,
  );
  console.log(`wrote ${join(out, file)}`);
};

export const benchLocalRuntimeSections = async (quick: boolean): Promise<void> => {
  // The ingest sections point the SDK at their own stand-in; the local runtime brings its own endpoint.
  for (const name of ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_SQS']) delete process.env[name];
  const out = join(__dirname, 'results');
  mkdirSync(out, { recursive: true });
  const orders = Number(process.env.BENCH_E2E_ORDERS ?? (quick ? 200 : 1000));
  const flashOrders = Number(process.env.BENCH_FLASH_ORDERS ?? (quick ? 200 : 1000));

  const { endToEnd, cost } = await benchEndToEnd(orders);
  printEndToEnd(endToEnd);
  write(out, 'end-to-end.json', { benchmark: 'end to end through the local runtime', ...endToEnd });
  printCost(cost);
  write(out, 'cost.json', { benchmark: 'cost per million orders', ...cost });

  const flash = await benchFlashSale(flashOrders);
  printFlashSale(flash);
  write(out, 'flash-sale.json', { benchmark: 'flash sale: one sku, DynamoDB Local', ...flash });
};

if (require.main === module) {
  benchLocalRuntimeSections(process.argv.includes('--quick') || process.env.BENCH_QUICK === '1').catch(
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
