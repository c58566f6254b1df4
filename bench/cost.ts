/**
 * §5 Cost per million orders, priced from one local run (bench/end-to-end.ts): the requests the
 * local endpoint counted, Lambda invocations and their measured durations, the bytes each function
 * logged, every execution's state transitions, and DynamoDB units from the items' sizes. Prices:
 * bench/prices.json (us-east-1, arm64, with sources). Prints orderflow itemised, an Express saga
 * for comparison, and a naive design as the yardstick.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { SAGA_DEFINITION_FILE } from '../lib/constructs/order-saga';
import { PROJECT_ROOT } from '../lib/project-root';
import { type StateMachine, worstCaseSeconds } from '../lib/saga-retry-budget';
import type { ExecutionRun, Item, LocalRunResult } from './local-run';

interface Price {
  readonly usd: number;
  readonly unit: string;
  readonly source: string;
  readonly status: 'confirmed' | 'secondary' | 'unconfirmed';
}

interface PriceTable {
  readonly lookedUp: string;
  readonly prices: Readonly<Record<string, Price>>;
  readonly assumptions: Readonly<Record<string, { readonly value: number; readonly why: string }>>;
}

export const loadPrices = (): PriceTable =>
  JSON.parse(readFileSync(path.join(__dirname, 'prices.json'), 'utf8')) as PriceTable;

/** The saga's worst case with every retry spent (lib/saga-retry-budget), from the shipped definition. */
const sagaWorstCaseSeconds = (): number =>
  worstCaseSeconds(
    JSON.parse(readFileSync(path.join(PROJECT_ROOT, SAGA_DEFINITION_FILE), 'utf8')) as StateMachine,
  );

// ---------- DynamoDB item sizes (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html) ----------

const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');

const numberSize = (n: string): number => {
  const digits = n.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
};

/** The size DynamoDB bills for one attribute value. */
export const valueSize = (value: AttributeValue): number => {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((sum, s) => sum + utf8(s), 0);
  if (value.NS) return value.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if (value.L) return 3 + value.L.reduce((sum, v) => sum + 1 + valueSize(v), 0);
  if (value.M)
    return 3 + Object.entries(value.M).reduce((sum, [k, v]) => sum + 1 + utf8(k) + valueSize(v), 0);
  return 0;
};

export const itemSize = (item: Item): number =>
  Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueSize(value), 0);

// ---------- per-call units ----------

interface DynamoUnits {
  wru: number;
  rru: number;
}

interface WireRequest {
  TableName?: string;
  Item?: Item;
  Key?: Item;
  ConsistentRead?: boolean;
  TransactItems?: {
    Put?: { TableName: string; Item: Item };
    Update?: { TableName: string; Key: Item };
    Delete?: { TableName: string; Key: Item };
    ConditionCheck?: { TableName: string; Key: Item };
  }[];
}

const KB = 1024;

/**
 * Prices each DynamoDB request of the run. A write is billed on the larger of the item before and
 * after; the item as it stands at the end of the run stands in for both (items only grow here).
 * Writes to a table with a global secondary index add the index's writes: 1 for a put, 2 for an
 * update (its key, updatedAt, changes: a delete and a put in the index).
 */
export const dynamoUnits = (run: LocalRunResult, exclude: (table: string) => boolean) => {
  const sizes = new Map<string, number>();
  const keyOf = (table: string, key: Item): string => {
    const names = run.keys.get(table) ?? Object.keys(key);
    return `${table}|${names.map((n) => JSON.stringify(key[n] ?? null)).join('|')}`;
  };
  for (const [table, items] of run.items) {
    for (const item of items) sizes.set(keyOf(table, item), itemSize(item));
  }
  const sizeAt = (table: string, key: Item | undefined): number =>
    key ? (sizes.get(keyOf(table, key)) ?? 0) : 0;
  const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / KB));
  const readUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / (4 * KB)));
  const indexWrites = (table: string, kind: 'put' | 'update') =>
    (run.indexes.get(table) ?? 0) * (kind === 'put' ? 1 : 2);

  const byTable = new Map<string, DynamoUnits & { calls: number }>();
  const add = (table: string, units: DynamoUnits) => {
    const t = byTable.get(table) ?? { wru: 0, rru: 0, calls: 0 };
    t.wru += units.wru;
    t.rru += units.rru;
    byTable.set(table, t);
  };
  const counted = (table: string) => {
    const t = byTable.get(table) ?? { wru: 0, rru: 0, calls: 0 };
    t.calls += 1;
    byTable.set(table, t);
  };
  for (const call of run.calls) {
    if (call.service !== 'dynamodb' || !call.body) continue;
    const request = JSON.parse(call.body.toString('utf8')) as WireRequest;
    const table = request.TableName ?? '';
    switch (call.operation) {
      case 'PutItem':
        counted(table);
        add(table, {
          wru:
            writeUnits(Math.max(itemSize(request.Item ?? {}), sizeAt(table, request.Key))) +
            indexWrites(table, 'put'),
          rru: 0,
        });
        break;
      case 'UpdateItem':
      case 'DeleteItem':
        counted(table);
        add(table, { wru: writeUnits(sizeAt(table, request.Key)) + indexWrites(table, 'update'), rru: 0 });
        break;
      case 'GetItem':
        counted(table);
        add(table, {
          wru: 0,
          rru: readUnits(sizeAt(table, request.Key)) * (request.ConsistentRead ? 1 : 0.5),
        });
        break;
      case 'TransactWriteItems':
        for (const entry of request.TransactItems ?? []) {
          const put = entry.Put;
          const other = entry.Update ?? entry.Delete;
          if (put) {
            counted(put.TableName);
            add(put.TableName, {
              wru: 2 * writeUnits(itemSize(put.Item)) + indexWrites(put.TableName, 'put'),
              rru: 0,
            });
          } else if (other) {
            counted(other.TableName);
            add(other.TableName, {
              wru:
                2 * writeUnits(sizeAt(other.TableName, other.Key)) + indexWrites(other.TableName, 'update'),
              rru: 0,
            });
          } else if (entry.ConditionCheck) {
            counted(entry.ConditionCheck.TableName);
            add(entry.ConditionCheck.TableName, {
              wru: 2 * writeUnits(sizeAt(entry.ConditionCheck.TableName, entry.ConditionCheck.Key)),
              rru: 0,
            });
          }
        }
        break;
      default:
        // Query, Scan, DescribeTable …: none in the pipeline's path; 1 RRU as a floor.
        counted(table);
        add(table, { wru: 0, rru: 1 });
    }
  }
  const total = { wru: 0, rru: 0 };
  const excluded = { wru: 0, rru: 0 };
  for (const [table, units] of byTable) {
    const into = exclude(table) ? excluded : total;
    into.wru += units.wru;
    into.rru += units.rru;
  }
  const itemBytes = [...run.items].map(([table, items]) => ({
    table,
    items: items.length,
    meanBytes: items.length ? Math.round(items.reduce((s, i) => s + itemSize(i), 0) / items.length) : 0,
    maxBytes: items.reduce((m, i) => Math.max(m, itemSize(i)), 0),
  }));
  return { total, excluded, byTable, itemBytes };
};

// ---------- Step Functions ----------

const ERROR_EVENTS = /Failed$|TimedOut$|Aborted$/;

/**
 * Billed transitions of one execution: every state entered, plus every retry of a task (each
 * retry is charged as another transition: http://aws.amazon.com/step-functions/pricing/).
 */
export const transitionsOf = (execution: ExecutionRun) => {
  const types = execution.events.map((e) => e.type ?? '');
  const entered = types.filter((t) => t.endsWith('StateEntered')).length;
  const tasksEntered = types.filter((t) => t === 'TaskStateEntered').length;
  const scheduled = types.filter((t) => t === 'TaskScheduled' || t === 'LambdaFunctionScheduled').length;
  const retries = Math.max(0, scheduled - tasksEntered);
  return {
    transitions: entered + retries,
    tasksEntered,
    retries,
    noWork: types.filter((t) => /^(Succeed|Pass|Fail)StateEntered$/.test(t)).length,
  };
};

const eventBytes = (event: HistoryEvent): number => utf8(JSON.stringify(event));

const executionsPerOrderOf = (run: LocalRunResult): number => run.executions.length / run.orders;

// ---------- the bill ----------

export interface Line {
  readonly service: string;
  readonly item: string;
  /** Billing units per order. */
  readonly perOrder: number;
  readonly unit: string;
  readonly priceKey: string;
}

export interface PricedLine extends Line {
  readonly usdPerMillionOrders: number;
}

export interface Bill {
  readonly design: string;
  readonly lines: readonly PricedLine[];
  readonly totalUsdPerMillionOrders: number;
}

const priced = (prices: PriceTable, design: string, lines: readonly Line[]): Bill => {
  const out = lines.map((line): PricedLine => {
    const price = prices.prices[line.priceKey];
    if (!price) throw new Error(`bench/prices.json has no price ${line.priceKey}`);
    return { ...line, usdPerMillionOrders: round(line.perOrder * price.usd * 1_000_000, 2) };
  });
  return {
    design,
    lines: out,
    totalUsdPerMillionOrders: round(
      out.reduce((sum, line) => sum + line.usdPerMillionOrders, 0),
      2,
    ),
  };
};

const round = (value: number, digits = 3): number => Number(value.toFixed(digits));

const SQS_CHUNK = 64 * KB;
const S3_PUT_CLASS = new Set([
  'PutObject',
  'CopyObject',
  'PostObject',
  'ListObjects',
  'CreateMultipartUpload',
  'UploadPart',
  'CompleteMultipartUpload',
]);
const S3_FREE = new Set(['DeleteObject', 'DeleteObjects', 'AbortMultipartUpload']);
/** The functions a saga execution runs (everything but the ingest path and execution-ended). */
const NOT_SAGA = /ingest|process-order|execution-ended/i;

export interface CostReport {
  readonly orders: number;
  readonly perOrder: {
    readonly requests: Readonly<Record<string, Readonly<Record<string, number>>>>;
    readonly lambda: readonly {
      readonly function: string;
      readonly memoryMb: number;
      readonly invocations: number;
      readonly meanMs: number;
      readonly meanMsUnderLoad: number;
      readonly gbSeconds: number;
      readonly gbSecondsUnderLoad: number;
      readonly logBytes: number;
    }[];
    readonly lambdaGbSecondsUnderLoad: number;
    readonly transitions: number;
    readonly transitionsHappyPath: number;
    readonly taskRetries: number;
    readonly noWorkStates: number;
    readonly dynamodb: { readonly wru: number; readonly rru: number };
    readonly logBytes: number;
    readonly stepFunctionsLogBytesAll: number;
    readonly stepFunctionsLogBytesError: number;
  };
  readonly itemSizes: ReturnType<typeof dynamoUnits>['itemBytes'];
  /** DynamoDB units per order by table (requests, WRU, RRU). */
  readonly dynamodbByTable: Readonly<
    Record<string, { readonly calls: number; readonly wru: number; readonly rru: number }>
  >;
  readonly simulatedProvider: {
    readonly wru: number;
    readonly rru: number;
    readonly usdPerMillionOrders: number;
  };
  readonly bills: readonly Bill[];
  /** orderflow / naive. */
  readonly ofNaive: number;
  readonly largest: PricedLine;
  readonly prices: { readonly lookedUp: string; readonly unconfirmed: readonly string[] };
}

export const costReport = (run: LocalRunResult, prices: PriceTable = loadPrices()): CostReport => {
  const n = run.orders;
  const per = (x: number) => x / n;
  const assume = (key: string): number => prices.assumptions[key]?.value ?? 0;

  // Requests per order by service and API, as the endpoint counted them.
  const requests = Object.fromEntries(
    Object.entries(run.apiCalls).map(([service, calls]) => [
      service,
      Object.fromEntries(Object.entries(calls.operations).map(([op, count]) => [op, round(per(count), 4)])),
    ]),
  );

  // SQS: every request, a send per 64 KB chunk of its body.
  let sqsRequests = 0;
  let sqsSendCalls = 0;
  let s3Put = 0;
  let s3Get = 0;
  let snsPublishes = 0;
  for (const call of run.calls) {
    if (call.service === 'sqs') {
      const chunks =
        /^SendMessage/.test(call.operation) && call.body
          ? Math.max(1, Math.ceil(call.body.length / SQS_CHUNK))
          : 1;
      sqsRequests += chunks;
      if (/^SendMessage/.test(call.operation)) sqsSendCalls += chunks;
    } else if (call.service === 's3') {
      if (S3_PUT_CLASS.has(call.operation)) s3Put += 1;
      else if (!S3_FREE.has(call.operation)) s3Get += 1;
    } else if (call.service === 'sns' && call.operation === 'Publish') {
      snsPublishes += call.body ? Math.max(1, Math.ceil(call.body.length / SQS_CHUNK)) : 1;
    }
  }

  // Lambda.
  // Duration: each function's mean in the calibration round (few orders in flight) × its
  // invocations in the run; the run's own durations (1,000 orders in flight on one machine, every
  // call waiting on the same DynamoDB Local) are kept beside it as an upper bound.
  const gb = (ms: number, memoryMb: number) => (ms / 1000) * (memoryMb / 1024);
  const lambda = run.functions
    .filter((fn) => fn.invocations > 0)
    .map((fn) => {
      const meanMs = fn.calibratedMeanMs ?? fn.billedMs / fn.invocations;
      return {
        function: fn.service,
        memoryMb: fn.memoryMb,
        invocations: round(per(fn.invocations), 4),
        meanMs: round(meanMs, 1),
        meanMsUnderLoad: round(fn.durationMs / fn.invocations, 1),
        gbSeconds: round(per(gb(meanMs * fn.invocations, fn.memoryMb)), 5),
        gbSecondsUnderLoad: round(per(gb(fn.billedMs, fn.memoryMb)), 5),
        logBytes: round(per(fn.logBytes), 1),
      };
    });
  const invocations = per(run.functions.reduce((s, fn) => s + fn.invocations, 0));
  const gbSeconds = lambda.reduce((s, fn) => s + fn.gbSeconds, 0);
  const gbSecondsUnderLoad = lambda.reduce((s, fn) => s + fn.gbSecondsUnderLoad, 0);
  const functionLogBytes = per(run.functions.reduce((s, fn) => s + fn.logBytes, 0));
  const platformLogBytes = invocations * assume('lambdaPlatformLogBytesPerInvocation');

  // Step Functions.
  const counts = run.executions.map(transitionsOf);
  const transitions = per(counts.reduce((s, c) => s + c.transitions, 0));
  const tasksEntered = per(counts.reduce((s, c) => s + c.tasksEntered, 0));
  const retries = per(counts.reduce((s, c) => s + c.retries, 0));
  const noWork = per(counts.reduce((s, c) => s + c.noWork, 0));
  const happy = run.executions
    .map((e, i) => ({ e, c: counts[i] }))
    .filter(
      ({ e, c }) =>
        e.status === 'SUCCEEDED' &&
        c?.retries === 0 &&
        e.events.some((h) => JSON.stringify(h).includes('ConfirmOrder')),
    );
  const transitionsHappyPath = happy[0]?.c?.transitions ?? 0;
  const sfnLogAll = per(
    run.executions.reduce((s, e) => s + e.events.reduce((t, h) => t + eventBytes(h), 0), 0),
  );
  const sfnLogError = per(
    run.executions.reduce(
      (s, e) =>
        s + e.events.filter((h) => ERROR_EVENTS.test(h.type ?? '')).reduce((t, h) => t + eventBytes(h), 0),
      0,
    ),
  );

  // DynamoDB, the simulated payment gateway and carrier apart (a real deployment calls the providers instead).
  const isProvider = (table: string) => /SimulatedProvider/i.test(table);
  const units = dynamoUnits(run, isProvider);

  // X-Ray.
  const traces = assume('xrayTracesPerOrder') * assume('xraySampledShare');

  const logBytes = functionLogBytes + platformLogBytes + sfnLogError;
  const common = (): Line[] => [
    {
      service: 'Lambda',
      item: 'requests',
      perOrder: invocations,
      unit: 'invocations',
      priceKey: 'lambdaRequest',
    },
    {
      service: 'Lambda',
      item: 'duration at configured memory (arm64, calibrated locally)',
      perOrder: gbSeconds,
      unit: 'GB-s',
      priceKey: 'lambdaArmGbSecond',
    },
    {
      service: 'DynamoDB',
      item: 'write request units',
      perOrder: per(units.total.wru),
      unit: 'WRU',
      priceKey: 'dynamodbWriteRequestUnit',
    },
    {
      service: 'DynamoDB',
      item: 'read request units',
      perOrder: per(units.total.rru),
      unit: 'RRU',
      priceKey: 'dynamodbReadRequestUnit',
    },
    {
      service: 'SQS',
      item: 'FIFO requests (64 KB chunks)',
      perOrder: per(sqsRequests),
      unit: 'requests',
      priceKey: 'sqsFifoRequest',
    },
    {
      service: 'S3',
      item: 'PUT-class requests',
      perOrder: per(s3Put),
      unit: 'requests',
      priceKey: 's3PutRequest',
    },
    {
      service: 'S3',
      item: 'GET-class requests',
      perOrder: per(s3Get),
      unit: 'requests',
      priceKey: 's3GetRequest',
    },
    {
      service: 'SNS',
      item: 'publishes',
      perOrder: per(snsPublishes),
      unit: 'publishes',
      priceKey: 'snsPublish',
    },
    {
      service: 'CloudWatch Logs',
      item: 'ingestion (INFO functions + platform lines; saga at ERROR)',
      perOrder: logBytes / 1024 ** 3,
      unit: 'GB',
      priceKey: 'cloudWatchLogsIngestionGb',
    },
    {
      service: 'X-Ray',
      item: 'traces recorded',
      perOrder: traces,
      unit: 'traces',
      priceKey: 'xrayTraceRecorded',
    },
    {
      service: 'X-Ray',
      item: 'traces retrieved',
      perOrder: traces * assume('xrayRetrievedShare'),
      unit: 'traces',
      priceKey: 'xrayTraceRetrieved',
    },
  ];

  const orderflow = priced(prices, 'orderflow (Standard saga)', [
    {
      service: 'Step Functions',
      item: 'Standard state transitions',
      perOrder: transitions,
      unit: 'transitions',
      priceKey: 'stepFunctionsStandardTransition',
    },
    ...common(),
  ]);

  // Express: a request per execution and its duration (the saga's task time at the calibrated
  // durations, rounded up to 100 ms; Step Functions' own time between states is not counted) at 64 MB.
  const sagaMs = per(
    run.functions
      .filter((fn) => !NOT_SAGA.test(fn.service))
      .reduce(
        (s, fn) =>
          s + (fn.calibratedMeanMs === undefined ? fn.billedMs : fn.calibratedMeanMs * fn.invocations),
        0,
      ),
  );
  const executionsPerOrder = per(run.executions.length);
  const expressSeconds = Math.ceil(sagaMs / executionsPerOrder / 100) / 10;
  const express = priced(prices, 'Express saga (comparison only)', [
    {
      service: 'Step Functions',
      item: 'Express requests',
      perOrder: executionsPerOrder,
      unit: 'executions',
      priceKey: 'stepFunctionsExpressRequest',
    },
    {
      service: 'Step Functions',
      item: 'Express duration at 64 MB',
      perOrder: executionsPerOrder * expressSeconds * (64 / 1024),
      unit: 'GB-s',
      priceKey: 'stepFunctionsExpressGbSecond',
    },
    ...common(),
  ]);

  // Naive: one SendMessage per record, GetItem then PutItem to deduplicate, PutMetricData per
  // record, and one more transition per step (a Pass state before every task), on top of the same run;
  // it ends each execution in a Succeed state, whether or not orderflow's definition has one (so the
  // yardstick does not move when orderflow drops states that do no work).
  const naiveTransitions = transitions - noWork + executionsPerOrderOf(run) + tasksEntered;
  const naiveLines = common().map((line): Line => {
    if (line.priceKey === 'sqsFifoRequest')
      return {
        ...line,
        item: 'FIFO requests, one SendMessage per record',
        perOrder: per(sqsRequests - sqsSendCalls) + 1,
      };
    if (line.priceKey === 'dynamodbReadRequestUnit')
      return { ...line, item: 'read request units + a GetItem to deduplicate', perOrder: line.perOrder + 1 };
    return line;
  });
  const naive = priced(prices, 'naive design (yardstick)', [
    {
      service: 'Step Functions',
      item: 'Standard transitions, one more per step',
      perOrder: naiveTransitions,
      unit: 'transitions',
      priceKey: 'stepFunctionsStandardTransition',
    },
    ...naiveLines,
    {
      service: 'CloudWatch',
      item: 'PutMetricData per record',
      perOrder: 1,
      unit: 'requests',
      priceKey: 'cloudWatchPutMetricDataRequest',
    },
  ]);

  const providerUsd = round(
    (per(units.excluded.wru) * (prices.prices.dynamodbWriteRequestUnit?.usd ?? 0) +
      per(units.excluded.rru) * (prices.prices.dynamodbReadRequestUnit?.usd ?? 0)) *
      1_000_000,
    2,
  );
  const largest = [...orderflow.lines].sort((a, b) => b.usdPerMillionOrders - a.usdPerMillionOrders)[0];
  if (!largest) throw new Error('empty bill');
  return {
    orders: n,
    perOrder: {
      requests,
      lambda,
      lambdaGbSecondsUnderLoad: round(gbSecondsUnderLoad, 4),
      transitions: round(transitions),
      transitionsHappyPath,
      taskRetries: round(retries),
      noWorkStates: round(noWork),
      dynamodb: { wru: round(per(units.total.wru)), rru: round(per(units.total.rru)) },
      logBytes: Math.round(logBytes),
      stepFunctionsLogBytesAll: Math.round(sfnLogAll),
      stepFunctionsLogBytesError: Math.round(sfnLogError),
    },
    itemSizes: units.itemBytes,
    dynamodbByTable: Object.fromEntries(
      [...units.byTable].map(([table, u]) => [
        table.replace(/^.*-Tables?/, '').replace(/[0-9A-F]{8}$/, ''),
        { calls: round(per(u.calls)), wru: round(per(u.wru)), rru: round(per(u.rru)) },
      ]),
    ),
    simulatedProvider: {
      wru: round(per(units.excluded.wru)),
      rru: round(per(units.excluded.rru)),
      usdPerMillionOrders: providerUsd,
    },
    bills: [orderflow, express, naive],
    ofNaive: round(orderflow.totalUsdPerMillionOrders / naive.totalUsdPerMillionOrders, 2),
    largest,
    prices: {
      lookedUp: prices.lookedUp,
      unconfirmed: Object.entries(prices.prices)
        .filter(([, p]) => p.status !== 'confirmed')
        .map(([key, p]) => `${key} (${p.status})`),
    },
  };
};

const usd = (value: number): string => `$${value.toFixed(2)}`;

export const printCost = (report: CostReport): void => {
  const [orderflow, express, naive] = report.bills;
  if (!orderflow || !express || !naive) return;
  console.log(
    `\ncost per 1,000,000 orders (us-east-1, from ${report.orders.toLocaleString('en')} orders through the local runtime)`,
  );
  console.log(
    `  ${'service'.padEnd(16)}${'item'.padEnd(62)}${'per order'.padStart(14)}${'orderflow'.padStart(12)}${'express'.padStart(12)}${'naive'.padStart(12)}`,
  );
  const rows = new Map<string, { service: string; item: string; perOrder: string; cells: string[] }>();
  const keyOf = (line: PricedLine) => `${line.service}|${line.priceKey}`;
  report.bills.forEach((bill, column) => {
    for (const line of bill.lines) {
      const key = keyOf(line);
      const row = rows.get(key) ?? {
        service: line.service,
        item: line.item,
        perOrder:
          `${line.perOrder < 0.01 ? line.perOrder.toExponential(2) : line.perOrder.toFixed(3)} ${line.unit}`.slice(
            0,
            14,
          ),
        cells: ['', '', ''],
      };
      row.cells[column] = usd(line.usdPerMillionOrders);
      rows.set(key, row);
    }
  });
  for (const row of rows.values()) {
    console.log(
      `  ${row.service.padEnd(16)}${row.item.slice(0, 60).padEnd(62)}${row.perOrder.padStart(14)}${row.cells.map((c) => c.padStart(12)).join('')}`,
    );
  }
  console.log(
    `  ${'total'.padEnd(92)}${usd(orderflow.totalUsdPerMillionOrders).padStart(12)}${usd(express.totalUsdPerMillionOrders).padStart(12)}${usd(naive.totalUsdPerMillionOrders).padStart(12)}`,
  );
  const p = report.perOrder;
  console.log(
    `  express: for comparison only, not offered: asynchronous Express runs a step at least once, synchronous at most once; both stop at 5 minutes, shorter than the saga's retry budgets (${sagaWorstCaseSeconds().toLocaleString('en')} s on the longest path), and keep no execution history to redrive from.`,
  );
  console.log(
    `  orderflow = ${report.ofNaive}x naive (goal <= 0.7). Largest item: ${report.largest.service} ${report.largest.item} (${usd(report.largest.usdPerMillionOrders)}).`,
  );
  console.log(
    `  per order: ${p.transitions} transitions (happy path ${p.transitionsHappyPath}; ${p.taskRetries} task retries; ${p.noWorkStates} states that do no work), ${p.dynamodb.wru} WRU, ${p.dynamodb.rru} RRU, ${p.logBytes} log bytes; saga logs at ALL (dev) would add ${p.stepFunctionsLogBytesAll} bytes.`,
  );
  console.log(
    `  Lambda at the run's own durations (1 machine, everything in flight at once: an upper bound): ${p.lambdaGbSecondsUnderLoad} GB-s per order.`,
  );
  console.log(
    `  DynamoDB per order by table: ${Object.entries(report.dynamodbByTable)
      .map(([table, u]) => `${table} ${u.calls} req ${u.wru} WRU ${u.rru} RRU`)
      .join('; ')}`,
  );
  console.log(
    `  not counted: the simulated payment gateway and carrier's table (${p && report.simulatedProvider.wru} WRU, ${usd(report.simulatedProvider.usdPerMillionOrders)} per 1M orders), storage, idle polling, EventBridge (AWS service events are free).`,
  );
  console.log(
    `  prices looked up ${report.prices.lookedUp}; not confirmed on an AWS page: ${report.prices.unconfirmed.join(', ')}`,
  );
};
