/**
 * §6 A flash sale: N orders of one unit each of the same sku, stock for 90 % of them, through the
 * local runtime (the pipeline's own reservation code against DynamoDB Local). Records transaction
 * conflicts, retries, the time to settle and oversell; exactly `stock` orders must complete and
 * every other one be rejected for lack of stock.
 *
 * DynamoDB Local serialises transactions and never reports TransactionConflict; on AWS, transactions
 * on one hot item cancel each other. So the gateway cancels a share of the TransactWriteItems
 * (BENCH_FLASH_CONFLICT_RATE, default 0.5) with TransactionConflict, as DynamoDB answers then.
 */
import type { FaultInjector } from '../local/chaos/faults';
import { Random } from '../local/chaos/random';
import type { Item, LocalRunResult } from './local-run';
import { DEMO_TIME_SCALE, runThroughLocalRuntime } from './local-run';
import { FLASH_SKU, flashSaleOrders } from './orders';

export interface FlashSaleResult {
  readonly orders: number;
  readonly stock: number;
  /** Share of TransactWriteItems the gateway cancelled with TransactionConflict. */
  readonly conflictRate: number;
  /** TransactWriteItems cancelled with TransactionConflict (injected). */
  readonly conflictsInjected: number;
  readonly settleSeconds: number;
  readonly ordersPerSecond: number;
  readonly unsettled?: string;
  readonly final: Readonly<Record<string, number>>;
  /** TransactWriteItems calls that reserve stock (a Put of the reservation with the sku update). */
  readonly reserveAttempts: number;
  /** Reserve attempts beyond one per order: the function's own resends plus the state machine's task retries. */
  readonly retriedAttempts: number;
  /** Orders whose reservation needed more than one attempt. */
  readonly ordersWithConflicts: number;
  /** ReserveInventory tasks the state machine scheduled again, whatever failed the previous one. */
  readonly taskRetries: number;
  readonly stockLeft: number;
  readonly unitsReserved: number;
  /** Units handed out beyond the stock (must be 0). */
  readonly oversold: number;
  /** Orders cancelled or rejected while stock remained, or for anything but OutOfStock (must be 0). */
  readonly wronglyRefused: number;
  readonly ok: boolean;
}

interface TransactBody {
  readonly TransactItems?: readonly { readonly Put?: { readonly Item?: Item } }[];
}

const reserveAttemptsByOrder = (run: LocalRunResult): Map<string, number> => {
  const attempts = new Map<string, number>();
  for (const call of run.calls) {
    if (call.service !== 'dynamodb' || call.operation !== 'TransactWriteItems' || !call.body) continue;
    const body = JSON.parse(call.body.toString('utf8')) as TransactBody;
    const orderId = body.TransactItems?.map((entry) => entry.Put?.Item?.orderId?.S).find(
      (id) => id !== undefined,
    );
    if (orderId) attempts.set(orderId, (attempts.get(orderId) ?? 0) + 1);
  }
  return attempts;
};

const conflictInjector = (rate: number) => {
  const random = new Random(11);
  let injected = 0;
  const injector: FaultInjector = {
    decide: ({ operation }) => {
      if (operation !== 'TransactWriteItems' || !random.chance(rate)) return undefined;
      injected += 1;
      return { kind: 'transaction-conflict' };
    },
  };
  return { injector, injected: () => injected };
};

export const benchFlashSale = async (
  orders: number,
  conflictRate = Number(process.env.BENCH_FLASH_CONFLICT_RATE ?? 0.5),
): Promise<FlashSaleResult> => {
  const stock = Math.floor(orders * 0.9);
  const conflicts = conflictInjector(conflictRate);
  const run = await runThroughLocalRuntime({
    faults: conflicts.injector,
    orders: flashSaleOrders(orders),
    stock: [{ sku: FLASH_SKU, available: stock }],
    timeScale: DEMO_TIME_SCALE,
    timeoutSeconds: 900,
    label: 'flash-sale',
  });
  const final: Record<string, number> = {};
  for (const order of run.finalOrders) final[order.status] = (final[order.status] ?? 0) + 1;
  const attempts = reserveAttemptsByOrder(run);
  const reserveAttempts = [...attempts.values()].reduce((s, n) => s + n, 0);
  // Every ReserveInventory task the state machine scheduled beyond the first, whatever failed it.
  const taskRetries = run.executions.reduce((sum, e) => {
    const scheduled = e.events.filter(
      (h) =>
        h.type === 'TaskScheduled' &&
        JSON.stringify(h.taskScheduledEventDetails ?? {}).includes('ReserveInventory'),
    ).length;
    return sum + Math.max(0, scheduled - 1);
  }, 0);
  const inventory = [...run.items].find(([table]) => /Inventory/.test(table))?.[1] ?? [];
  const reservations = [...run.items].find(([table]) => /Reservations/.test(table))?.[1] ?? [];
  const stockLeft = Number(inventory.find((item) => item.sku?.S === FLASH_SKU)?.available?.N ?? Number.NaN);
  const unitsReserved = reservations.filter((item) => item.status?.S === 'RESERVED').length;
  const completed = final.COMPLETED ?? 0;
  const refusedWrongly = run.finalOrders.filter(
    (o) => o.status !== 'COMPLETED' && !(o.status === 'REJECTED' && /OutOfStock/.test(o.statusReason ?? '')),
  ).length;
  const oversold = Math.max(0, unitsReserved - stock, -stockLeft);
  const wronglyRefused = refusedWrongly + Math.max(0, Math.min(stock, orders) - completed - refusedWrongly);
  const settleSeconds = run.settleMs / 1000;
  return {
    orders,
    stock,
    conflictRate,
    conflictsInjected: conflicts.injected(),
    settleSeconds: Number(settleSeconds.toFixed(1)),
    ordersPerSecond: Number((orders / settleSeconds).toFixed(1)),
    ...(run.unsettled ? { unsettled: run.unsettled } : {}),
    final,
    reserveAttempts,
    retriedAttempts: reserveAttempts - attempts.size,
    ordersWithConflicts: [...attempts.values()].filter((n) => n > 1).length,
    taskRetries,
    stockLeft,
    unitsReserved,
    oversold,
    wronglyRefused,
    ok:
      run.unsettled === undefined &&
      oversold === 0 &&
      wronglyRefused === 0 &&
      completed === stock &&
      stockLeft === 0 &&
      stockLeft + unitsReserved === stock,
  };
};

export const printFlashSale = (r: FlashSaleResult): void => {
  console.log(
    `\nflash sale: ${r.orders.toLocaleString('en')} orders of one unit of ${FLASH_SKU}, stock ${r.stock}, time scale ×${DEMO_TIME_SCALE}`,
  );
  console.log(
    `  settled in                    ${r.settleSeconds} s (${r.ordersPerSecond} orders/s)${r.unsettled ? `; NOT SETTLED: ${r.unsettled}` : ''}`,
  );
  console.log(
    `  final statuses                ${Object.entries(r.final)
      .map(([s, c]) => `${s} ${c}`)
      .join(', ')}`,
  );
  console.log(
    `  conflicts                     ${r.conflictsInjected} transactions cancelled with TransactionConflict (${r.conflictRate} of them, injected at the local gateway)`,
  );
  console.log(
    `  retries                       ${r.reserveAttempts} reservation attempts for ${r.orders} orders: ${r.retriedAttempts - r.taskRetries} sent again by the function, ${r.taskRetries} ReserveInventory task retries by the state machine (${r.ordersWithConflicts} orders took more than one)`,
  );
  console.log(
    `  stock                         ${r.unitsReserved} reserved, ${r.stockLeft} left; oversold ${r.oversold}; refused while stock remained or not for OutOfStock: ${r.wronglyRefused}`,
  );
  console.log(`  ${r.ok ? 'OK: no oversell, exactly the stock completed' : 'FAILED: see above'}`);
};
