/**
 * One run of a generated orders file through the local runtime (the one `npm start` runs), with
 * everything the end-to-end, cost and flash-sale sections read from it: the time from upload to
 * every order final, the requests the local endpoint counted (with their bodies, to size DynamoDB
 * items), Lambda invocations and their durations, the bytes each function logged, every
 * execution's history, and the tables' items at the end.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type AttributeValue, DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import {
  GetExecutionHistoryCommand,
  type HistoryEvent,
  paginateListExecutions,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { settleTargetOf, waitUntilSettled } from '../cli/local/settle';
import { type StockLine, seedInventory } from '../cli/seed/seed';
import { makeCliClients } from '../cli/shared/clients';
import { namesFromOutputs } from '../cli/shared/names';
import type { OrderView } from '../cli/shared/orders';
import { uploadFile } from '../cli/upload/upload';
import type { ObservedApiCall, ServiceCalls } from '../local/api-calls';
import type { FaultInjector } from '../local/chaos/faults';
import type { InvocationStats } from '../local/lambda/invoker';
import { startLocalRuntime } from '../local/runtime';
import type { LocalFunction } from '../local/topology';

/** `orderflow demo`'s default --time-scale (bin/orderflow.ts): the demo's time scale. */
export const DEMO_TIME_SCALE = 0.1;

export type Item = Record<string, AttributeValue>;

export interface LocalRunInput {
  /** JSONL lines, one order each. */
  readonly orders: readonly unknown[];
  readonly stock: readonly StockLine[];
  readonly timeScale?: number;
  readonly timeoutSeconds: number;
  readonly label: string;
  /**
   * Orders run before the measured upload, in two rounds of their own: the first warms every
   * function, the second gives each function's duration with few orders in flight
   * (FunctionRun.calibratedMeanMs). Nothing of either round is counted in the result.
   */
  readonly calibration?: readonly [readonly unknown[], readonly unknown[]];
  /** Faults the gateway injects (LocalRuntimeOptions.faults). @default none */
  readonly faults?: FaultInjector;
}

export interface FunctionRun extends InvocationStats {
  readonly name: string;
  /** POWERTOOLS_SERVICE_NAME, else the logical id. */
  readonly service: string;
  readonly memoryMb: number;
  /** Bytes the function wrote to stdout/stderr (its log group) during the run. */
  readonly logBytes: number;
  readonly logLines: number;
  /** Mean billed duration in the calibration round, when the function ran in it (ms). */
  readonly calibratedMeanMs?: number;
}

export interface ExecutionRun {
  readonly name: string;
  readonly status: string;
  readonly events: readonly HistoryEvent[];
}

export interface LocalRunResult {
  readonly orders: number;
  /** From upload to every order final (ms). */
  readonly settleMs: number;
  readonly unsettled?: string;
  readonly finalOrders: readonly OrderView[];
  readonly apiCalls: Readonly<Record<string, ServiceCalls>>;
  readonly calls: readonly ObservedApiCall[];
  readonly functions: readonly FunctionRun[];
  readonly executions: readonly ExecutionRun[];
  /** Every table's items at the end, by table name. */
  readonly items: ReadonlyMap<string, readonly Item[]>;
  /** Key attribute names by table name. */
  readonly keys: ReadonlyMap<string, readonly string[]>;
  /** Global secondary indexes by table name. */
  readonly indexes: ReadonlyMap<string, number>;
  readonly uploadBytes: number;
  readonly timeScale: number;
}

const countLines = (text: string): number => text.split('\n').filter((line) => line.length > 0).length;

const logOf = (dir: string, fn: LocalFunction): { bytes: number; lines: number } => {
  const file = path.join(dir, `${fn.name}.log`);
  try {
    const bytes = statSync(file).size;
    return { bytes, lines: bytes === 0 ? 0 : countLines(readFileSync(file, 'utf8')) };
  } catch {
    return { bytes: 0, lines: 0 };
  }
};

const snapshot = (stats: ReadonlyMap<string, InvocationStats>): Map<string, InvocationStats> =>
  new Map([...stats].map(([name, s]) => [name, { ...s }]));

const minus = (a: InvocationStats, b: InvocationStats | undefined): InvocationStats => ({
  invocations: a.invocations - (b?.invocations ?? 0),
  errors: a.errors - (b?.errors ?? 0),
  durationMs: a.durationMs - (b?.durationMs ?? 0),
  billedMs: a.billedMs - (b?.billedMs ?? 0),
});

const countCalls = (calls: readonly ObservedApiCall[]): Record<string, ServiceCalls> => {
  const by = new Map<string, Map<string, number>>();
  for (const call of calls) {
    const ops = by.get(call.service) ?? new Map<string, number>();
    ops.set(call.operation, (ops.get(call.operation) ?? 0) + 1);
    by.set(call.service, ops);
  }
  return Object.fromEntries(
    [...by].map(([service, ops]) => [
      service,
      { total: [...ops.values()].reduce((x, y) => x + y, 0), operations: Object.fromEntries(ops) },
    ]),
  );
};

const scanAll = async (client: DynamoDBClient, table: string): Promise<Item[]> => {
  const items: Item[] = [];
  for await (const page of paginateScan({ client }, { TableName: table })) items.push(...(page.Items ?? []));
  return items;
};

const executionNames = async (sfn: SFNClient, stateMachineArn: string) => {
  const listed: { name: string; status: string; arn: string }[] = [];
  for await (const page of paginateListExecutions({ client: sfn }, { stateMachineArn })) {
    for (const e of page.executions ?? [])
      listed.push({ name: e.name ?? '', status: e.status ?? '', arn: e.executionArn ?? '' });
  }
  return listed;
};

const histories = async (
  sfn: SFNClient,
  stateMachineArn: string,
  skip: ReadonlySet<string>,
): Promise<ExecutionRun[]> => {
  const listed = (await executionNames(sfn, stateMachineArn)).filter((e) => !skip.has(e.name));
  const runs: ExecutionRun[] = [];
  // A few at a time: the local endpoint serves them from memory.
  for (let i = 0; i < listed.length; i += 20) {
    runs.push(
      ...(await Promise.all(
        listed.slice(i, i + 20).map(async (e) => {
          const events: HistoryEvent[] = [];
          let nextToken: string | undefined;
          do {
            const page = await sfn.send(
              new GetExecutionHistoryCommand({ executionArn: e.arn, maxResults: 1000, nextToken }),
            );
            events.push(...(page.events ?? []));
            nextToken = page.nextToken;
          } while (nextToken);
          return { name: e.name, status: e.status, events };
        }),
      )),
    );
  }
  return runs;
};

/**
 * Starts the local runtime on a fresh state directory, seeds the stock, uploads the orders as one
 * JSONL file through the counted endpoint (as `npm start` does), waits until every order is final
 * and collects what the benches price. Seeding and watching go straight to the stand-ins: they are
 * not part of what an order costs.
 */
export const runThroughLocalRuntime = async (input: LocalRunInput): Promise<LocalRunResult> => {
  const stateDir = mkdtempSync(path.join(tmpdir(), `orderflow-bench-${input.label}-`));
  const calls: ObservedApiCall[] = [];
  const timeScale = input.timeScale ?? DEMO_TIME_SCALE;
  const runtime = await startLocalRuntime({
    timeScale,
    stateDir,
    onApiCall: (call) => calls.push(call),
    ...(input.faults ? { faults: input.faults } : {}),
    log: (message) => process.stderr.write(`  [runtime] ${message}\n`),
  });
  const base = {
    region: runtime.aws.region,
    credentials: { accessKeyId: runtime.aws.accessKeyId, secretAccessKey: runtime.aws.secretAccessKey },
  };
  const user = makeCliClients({ s3: runtime.endpoint }, base);
  const watcher = makeCliClients(
    {
      s3: runtime.direct.fauxqs,
      sqs: runtime.direct.fauxqs,
      dynamodb: runtime.direct.dynamodb,
      sfn: runtime.direct.sfn,
    },
    base,
  );
  const rawDynamo = new DynamoDBClient({ ...base, endpoint: runtime.direct.dynamodb });
  try {
    const names = namesFromOutputs(runtime.outputs);
    await seedInventory(watcher.dynamodb, names.inventoryTable, input.stock);
    const writeOrders = (name: string, orders: readonly unknown[]): string => {
      const file = path.join(stateDir, `${name}.jsonl`);
      writeFileSync(file, `${orders.map((order) => JSON.stringify(order)).join('\n')}\n`);
      return file;
    };
    const calibrated = new Map<string, InvocationStats>();
    if (input.calibration) {
      let before = snapshot(runtime.invocations());
      for (const [round, orders] of input.calibration.entries()) {
        before = snapshot(runtime.invocations());
        const up = await uploadFile(user.s3, names.ingestBucket, writeOrders(`calibration-${round}`, orders));
        await waitUntilSettled(settleTargetOf(runtime, watcher, names, up.key), {
          deadline: Date.now() + 300_000,
          intervalMs: 250,
        });
      }
      for (const [name, stats] of runtime.invocations()) calibrated.set(name, minus(stats, before.get(name)));
    }
    const skipExecutions = new Set(
      (await executionNames(watcher.sfn, names.stateMachineArn)).map((e) => e.name),
    );
    const statsBefore = snapshot(runtime.invocations());
    const logsBefore = new Map(runtime.topology.functions.map((fn) => [fn.name, logOf(runtime.logDir, fn)]));
    const firstCall = calls.length;
    const ids = new Set(input.orders.map((order) => (order as { orderId: string }).orderId));
    const file = writeOrders(input.label, input.orders);
    const uploadedAt = Date.now();
    const upload = await uploadFile(user.s3, names.ingestBucket, file);
    let lastLine = 0;
    const { view, unsettled } = await waitUntilSettled(settleTargetOf(runtime, watcher, names, upload.key), {
      deadline: uploadedAt + input.timeoutSeconds * 1000,
      intervalMs: 500,
      onView: (v) => {
        if (Date.now() - lastLine < 10_000) return;
        lastLine = Date.now();
        const final = v.orders.filter(
          (o) =>
            ids.has(o.orderId) &&
            ['COMPLETED', 'CANCELLED', 'REJECTED', 'NEEDS_ATTENTION'].includes(o.status),
        );
        process.stderr.write(
          `  [${input.label}] ${Math.round((Date.now() - uploadedAt) / 1000)} s: ${final.length}/${input.orders.length} orders final, ${v.runningExecutions} executions running\n`,
        );
      },
    });
    const settleMs = Date.now() - uploadedAt;
    const measuredCalls = calls.slice(firstCall);
    const stats = runtime.invocations();
    const zero = { invocations: 0, errors: 0, durationMs: 0, billedMs: 0 };
    const functions = runtime.topology.functions.map((fn): FunctionRun => {
      const s = minus(stats.get(fn.name) ?? zero, statsBefore.get(fn.name));
      const log = logOf(runtime.logDir, fn);
      const logBefore = logsBefore.get(fn.name) ?? { bytes: 0, lines: 0 };
      const calibration = calibrated.get(fn.name);
      return {
        name: fn.name,
        service: fn.environment.POWERTOOLS_SERVICE_NAME ?? fn.logicalId,
        memoryMb: fn.memoryMb,
        ...s,
        logBytes: log.bytes - logBefore.bytes,
        logLines: log.lines - logBefore.lines,
        ...(calibration && calibration.invocations > 0
          ? { calibratedMeanMs: calibration.billedMs / calibration.invocations }
          : {}),
      };
    });
    const executions = await histories(watcher.sfn, names.stateMachineArn, skipExecutions);
    const items = new Map<string, Item[]>();
    const keys = new Map<string, string[]>();
    const indexes = new Map<string, number>();
    for (const table of runtime.topology.tables) {
      items.set(table.name, await scanAll(rawDynamo, table.name));
      keys.set(
        table.name,
        table.keySchema.map((k) => k.AttributeName),
      );
      indexes.set(table.name, table.globalSecondaryIndexes.length);
    }
    return {
      orders: input.orders.length,
      settleMs,
      ...(unsettled ? { unsettled } : {}),
      finalOrders: view.orders.filter((order) => ids.has(order.orderId)),
      apiCalls: countCalls(measuredCalls),
      calls: measuredCalls,
      functions,
      executions,
      items,
      keys,
      indexes,
      uploadBytes: upload.bytes,
      timeScale,
    };
  } finally {
    user.destroy();
    watcher.destroy();
    rawDynamo.destroy();
    await runtime.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
};
