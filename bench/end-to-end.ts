/**
 * §7 End to end and §5 cost: a generated file of valid orders (bench/orders.ts) through the local
 * runtime at the demo's time scale, from upload to every order final. The same run is priced by
 * bench/cost.ts.
 */
import { type CostReport, costReport, printCost } from './cost';
import { DEMO_TIME_SCALE, type LocalRunResult, runThroughLocalRuntime } from './local-run';
import { mixedOrders, type Outcome, oneOfEachKind } from './orders';

export interface EndToEndResult {
  readonly orders: number;
  readonly timeScale: number;
  readonly settleSeconds: number;
  readonly ordersPerSecond: number;
  readonly unsettled?: string;
  readonly expected: Readonly<Record<Outcome, number>>;
  readonly final: Readonly<Record<string, number>>;
  readonly asExpected: boolean;
  readonly mix: ReturnType<typeof mixedOrders>['mix'];
}

export const benchEndToEnd = async (
  orders: number,
): Promise<{ endToEnd: EndToEndResult; cost: CostReport; run: LocalRunResult }> => {
  const generated = mixedOrders(orders);
  const run = await runThroughLocalRuntime({
    orders: generated.orders,
    stock: generated.stock,
    timeScale: DEMO_TIME_SCALE,
    timeoutSeconds: 900,
    label: 'end-to-end',
    calibration: [oneOfEachKind('warm'), oneOfEachKind('calibration')],
  });
  const final: Record<string, number> = {};
  for (const order of run.finalOrders) final[order.status] = (final[order.status] ?? 0) + 1;
  const asExpected = (Object.entries(generated.expected) as [Outcome, number][]).every(
    ([status, count]) => (final[status] ?? 0) === count,
  );
  const settleSeconds = run.settleMs / 1000;
  return {
    endToEnd: {
      orders,
      timeScale: run.timeScale,
      settleSeconds: Number(settleSeconds.toFixed(1)),
      ordersPerSecond: Number((orders / settleSeconds).toFixed(1)),
      ...(run.unsettled ? { unsettled: run.unsettled } : {}),
      expected: generated.expected,
      final,
      asExpected,
      mix: generated.mix,
    },
    cost: costReport(run),
    run,
  };
};

export const printEndToEnd = (result: EndToEndResult): void => {
  console.log(
    `\nend to end: ${result.orders.toLocaleString('en')} orders through the local runtime (time scale ×${result.timeScale})`,
  );
  console.log(
    `  upload to every order final   ${result.settleSeconds} s = ${result.ordersPerSecond} orders/s`,
  );
  console.log(
    `  final statuses                ${Object.entries(result.final)
      .map(([s, c]) => `${s} ${c}`)
      .join(', ')} (expected ${Object.entries(result.expected)
      .map(([s, c]) => `${s} ${c}`)
      .join(', ')}: ${result.asExpected ? 'as expected' : 'NOT as expected'})`,
  );
  if (result.unsettled) console.log(`  NOT SETTLED: ${result.unsettled}`);
};

export { printCost };
