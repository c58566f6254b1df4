import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { type PipelineView, settleTargetOf, waitUntilSettled } from '../../cli/local/settle';
import { readStockCsv, seedInventory } from '../../cli/seed/seed';
import type { CliClients } from '../../cli/shared/clients';
import type { PipelineNames } from '../../cli/shared/names';
import { type OrderView, scanOrders } from '../../cli/shared/orders';
import type { LocalRuntime } from '../../local/runtime';

const samples = path.join(__dirname, '../../samples');

/** The outcome each distinct sample order must reach (see test/unit/ingest/samples.test.ts for the mix). */
export const SAMPLE_OUTCOMES: Readonly<Record<string, string>> = {
  'ord-2026-1006': 'CANCELLED PaymentDeclined',
  'ord-2026-1007': 'CANCELLED InsufficientFunds',
  'ord-2026-1009': 'REJECTED OutOfStock',
  'ord-2026-1010': 'CANCELLED ShippingError',
  ...Object.fromEntries(
    [1001, 1002, 1003, 1004, 1005, 1008, 1015, 1016, 1017, 1018, 1019, 1020, 1022, 1023, 1024].map((n) => [
      `ord-2026-${n}`,
      'COMPLETED',
    ]),
  ),
};

/** `COMPLETED`, or the status with the error name that caused it: comparable with SAMPLE_OUTCOMES. */
export const outcomesOf = (orders: readonly OrderView[]): Record<string, string> =>
  Object.fromEntries(
    orders.map((order) => [
      order.orderId,
      order.status === 'COMPLETED' ? order.status : `${order.status} ${order.statusReason?.split(':')[0]}`,
    ]),
  );

/**
 * The journey a user takes with the sample files: seeds samples/inventory.csv, uploads
 * samples/orders.jsonl under `key` as a user would, and waits (polling, with a deadline) until
 * the pipeline has settled.
 */
export const runSampleJourney = async (
  runtime: LocalRuntime,
  clients: CliClients,
  names: PipelineNames,
  key: string,
  timeoutMs: number,
): Promise<{ readonly view: PipelineView; readonly unsettled?: string; readonly orders: OrderView[] }> => {
  await seedInventory(
    clients.dynamodb,
    names.inventoryTable,
    await readStockCsv(path.join(samples, 'inventory.csv')),
  );
  await clients.s3.send(
    new PutObjectCommand({
      Bucket: names.ingestBucket,
      Key: key,
      Body: readFileSync(path.join(samples, 'orders.jsonl')),
    }),
  );
  const settled = await waitUntilSettled(settleTargetOf(runtime, clients, names, key), {
    deadline: Date.now() + timeoutMs,
  });
  return { ...settled, orders: await scanOrders(clients.dynamodb, names.ordersTable) };
};
