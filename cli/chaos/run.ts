import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import type { FaultKindName } from '../../local/chaos/chaos';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime';
import { seedInventory } from '../seed/seed';
import { type CliClients, makeCliClients } from '../shared/clients';
import { namesFromOutputs, type PipelineNames } from '../shared/names';
import { queueDepth } from '../shared/queue-messages';
import { readRejectsReport } from '../shared/rejects';
import type { Violation } from '../verify/checks';
import { collectSnapshot } from '../verify/collect';
import type { VerifySnapshot } from '../verify/snapshot';
import { judge, type VerifySummary } from '../verify/verify';
import { type Feed, generateFeed } from './feed';

export interface ChaosRunOptions {
  readonly orders: number;
  readonly rate: number;
  readonly seed: number;
  /** Saga and async-retry timing factor. @default 0.1 */
  readonly timeScale?: number;
  /** Give up waiting for the pipeline to settle after this long. @default 600 s */
  readonly settleTimeoutSeconds?: number;
  /** Where the runtime's own log and every injected fault go. @default a file in a temporary directory */
  readonly logFile?: string;
  /** Progress lines while it runs. @default none */
  readonly progress?: (line: string) => void;
}

export interface ChaosRunResult {
  readonly seed: number;
  readonly rate: number;
  readonly orders: number;
  readonly feed: Feed['counts'] & { readonly files: number };
  readonly verify: VerifySummary;
  readonly faults: Record<FaultKindName, number>;
  readonly faultsInjected: number;
  readonly retries: { readonly sdkAttempts: number; readonly failedInvocations: number };
  readonly seconds: number;
  /** Where the time went: seconds from the start to the runtime up, the files uploaded, everything settled. */
  readonly timeline: { readonly runtimeUp: number; readonly uploaded: number; readonly settled: number };
  /** Why the pipeline was not settled yet, every 10 s while it waited (seconds from the start). */
  readonly waits: readonly { readonly at: number; readonly why: string }[];
  readonly violations: readonly Violation[];
  /** The runtime's log with every injected fault, kept when something was violated. */
  readonly log?: string;
}

/**
 * Failed batches return after this many seconds rather than the CDK's 3 minutes, or after the timeout of
 * the function a queue feeds where that is longer (local/visibility: Lambda requires it, or a message
 * would be received again while the invocation holding it may still run).
 */
const CHAOS_VISIBILITY_SECONDS = 20;
/** The pipeline must look done this many times in a row, this far apart, to count as settled. */
const QUIET_CHECKS = 3;
const CHECK_EVERY_MS = 500;

const isSettled = async (
  runtime: LocalRuntime,
  clients: CliClients,
  names: PipelineNames,
  feed: Feed,
): Promise<string | undefined> => {
  if (runtime.busy() > 0) return `${runtime.busy()} invocation(s) or deliveries under way`;
  for (const file of feed.files) {
    const report = await readRejectsReport(clients.s3, names.ingestBucket, file.key);
    if (report?.summary === undefined) return `${file.key} not ingested yet`;
  }
  const depth = await queueDepth(clients.sqs, names.ordersQueueUrl);
  if (depth.visible + depth.inFlight + depth.delayed > 0) return 'orders.fifo not empty';
  const running = await clients.sfn.send(
    new ListExecutionsCommand({
      stateMachineArn: names.stateMachineArn,
      statusFilter: 'RUNNING',
      maxResults: 1,
    }),
  );
  if ((running.executions ?? []).length > 0) return 'saga executions still running';
  return undefined;
};

const waitUntilSettled = async (
  runtime: LocalRuntime,
  clients: CliClients,
  names: PipelineNames,
  feed: Feed,
  deadline: number,
  progress: (line: string) => void,
  waits: { at: number; why: string }[],
  started: number,
): Promise<string | undefined> => {
  let quiet = 0;
  let why: string | undefined = 'not checked yet';
  let reported = Date.now();
  while (Date.now() < deadline) {
    why = await isSettled(runtime, clients, names, feed);
    if (why !== undefined && Date.now() - reported > 10_000) {
      progress(`  waiting: ${why}`);
      waits.push({ at: Math.round((Date.now() - started) / 1000), why });
      reported = Date.now();
    }
    quiet = why === undefined ? quiet + 1 : 0;
    if (quiet >= QUIET_CHECKS) return undefined;
    await new Promise((resolve) => setTimeout(resolve, CHECK_EVERY_MS));
  }
  return why;
};

/**
 * Beyond the guarantees `verify` checks: every order ended where its own data leads (its token,
 * address and skus), whatever faults it met. A transient fault must never cancel an order that
 * could have gone through, nor leave one needing attention that did not have to.
 */
export const unexpectedOutcomes = (snapshot: VerifySnapshot, feed: Feed): Violation[] => {
  const violations: Violation[] = [];
  const orders = new Map(snapshot.orders.map((order) => [order.orderId, order]));
  for (const [orderId, versions] of feed.orders) {
    const order = orders.get(orderId);
    const version = versions.find((candidate) => candidate.contentHash === order?.contentHash);
    if (order === undefined || version === undefined) continue; // verify reports what is missing
    const { status, reason } = version.expected;
    const matches =
      order.status === status && (reason === undefined || (order.statusReason ?? '').startsWith(reason));
    if (!matches) {
      violations.push({
        area: 'order',
        subject: orderId,
        detail: `ended ${order.status}${order.statusReason ? ` (${order.statusReason})` : ''}, but its data leads to ${status}${reason ? ` (${reason}…)` : ''}`,
      });
    }
  }
  return violations;
};

/**
 * `orderflow chaos`: a self-contained run on a fresh local state. It generates a feed from the seed,
 * seeds the stock, uploads the files as a user would while the runtime injects faults at the given
 * rate, waits until everything settles, turns the faults off, and judges the result with the same
 * checker as `orderflow verify`, plus every order's expected outcome.
 */
export const runChaos = async (options: ChaosRunOptions): Promise<ChaosRunResult> => {
  const started = Date.now();
  const progress = options.progress ?? (() => undefined);
  const scratch =
    options.logFile === undefined ? mkdtempSync(path.join(tmpdir(), 'orderflow-chaos-')) : undefined;
  const logFile = options.logFile ?? path.join(scratch ?? tmpdir(), 'chaos.log');
  const feed = generateFeed(options.seed, options.orders);
  progress(
    `Feed (seed ${options.seed}): ${feed.files.length} files, ${feed.counts.records} records, ${feed.counts.distinctOrders} orders, ` +
      `${feed.counts.invalid} invalid, ${feed.counts.resent} re-sent, ${feed.counts.conflicting} conflicting`,
  );
  const runtime = await startLocalRuntime({
    timeScale: options.timeScale ?? 0.1,
    chaos: { rate: options.rate, seed: options.seed },
    maxVisibilityTimeoutSeconds: CHAOS_VISIBILITY_SECONDS,
    log: (line) => appendFileSync(logFile, `${line}\n`),
  });
  const since = () => Math.round((Date.now() - started) / 100) / 10;
  const runtimeUp = since();
  const waits: { at: number; why: string }[] = [];
  const chaos = runtime.chaos;
  const clients = makeCliClients(
    { s3: runtime.endpoint, sqs: runtime.endpoint, dynamodb: runtime.endpoint, sfn: runtime.endpoint },
    {
      region: runtime.aws.region,
      credentials: { accessKeyId: runtime.aws.accessKeyId, secretAccessKey: runtime.aws.secretAccessKey },
    },
  );
  try {
    const names = namesFromOutputs(runtime.outputs);
    if (chaos) chaos.enabled = false;
    await seedInventory(clients.dynamodb, names.inventoryTable, feed.inventory);
    if (chaos) chaos.enabled = true;
    progress(`Uploading with faults at rate ${options.rate} (log: ${logFile})`);
    for (const file of feed.files) {
      await clients.s3.send(
        new PutObjectCommand({ Bucket: names.ingestBucket, Key: file.key, Body: file.body }),
      );
    }
    // The same file once more, as a user re-sending it: a new object version, every record a duplicate.
    for (const file of feed.files.filter((candidate) => candidate.uploadAgain)) {
      await clients.s3.send(
        new PutObjectCommand({ Bucket: names.ingestBucket, Key: file.key, Body: file.body }),
      );
    }
    const uploaded = since();
    const unsettled = await waitUntilSettled(
      runtime,
      clients,
      names,
      feed,
      Date.now() + (options.settleTimeoutSeconds ?? 600) * 1000,
      progress,
      waits,
      started,
    );
    const settled = since();
    if (chaos) chaos.enabled = false;
    progress(
      unsettled === undefined ? 'Settled; checking' : `Did not settle (${unsettled}); checking what there is`,
    );
    const snapshot = await collectSnapshot(clients, names, { logDir: runtime.logDir });
    const judged = judge(snapshot);
    const violations = [
      ...(unsettled === undefined
        ? []
        : [{ area: 'queue' as const, subject: 'pipeline', detail: `did not settle: ${unsettled}` }]),
      ...judged.violations,
      ...unexpectedOutcomes(snapshot, feed),
    ];
    const faults = chaos?.counts() ?? ({} as Record<FaultKindName, number>);
    const failedInvocations = [...runtime.invocations().values()].reduce(
      (sum, stats) => sum + stats.errors,
      0,
    );
    const result: ChaosRunResult = {
      seed: options.seed,
      rate: options.rate,
      orders: options.orders,
      feed: { ...feed.counts, files: feed.files.length },
      verify: judged.summary,
      faults,
      faultsInjected: Object.values(faults).reduce((sum, n) => sum + n, 0),
      retries: { sdkAttempts: chaos?.sdkRetries ?? 0, failedInvocations },
      seconds: since(),
      timeline: { runtimeUp, uploaded, settled },
      waits,
      violations,
      ...(violations.length > 0 || scratch === undefined ? { log: logFile } : {}),
    };
    if (violations.length === 0 && scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
    return result;
  } finally {
    clients.destroy();
    await runtime.stop();
  }
};

/** The run's summary as a person reads it. */
export const formatChaos = (result: ChaosRunResult): string => {
  const line = (record: Readonly<Record<string, number>>) =>
    Object.entries(record)
      .filter(([, n]) => n > 0)
      .map(([key, n]) => `${key} ${n}`)
      .join(', ') || 'none';
  return [
    `Chaos run: seed ${result.seed}, rate ${result.rate}, ${result.orders} orders, ${result.seconds} s`,
    `Feed: ${result.feed.files} files, ${result.feed.records} records (${result.feed.invalid} invalid, ${result.feed.resent} re-sent, ${result.feed.conflicting} conflicting versions), one file uploaded twice`,
    `Ingest: ${result.verify.records.read} records read, ${result.verify.records.accepted} accepted, ${result.verify.records.rejected} rejected`,
    `Orders by final status: ${line(result.verify.ordersByStatus)}`,
    `Dead letters: ${line(result.verify.deadLetters)}`,
    `Faults injected (${result.faultsInjected}): ${line(result.faults)}`,
    `Retries: ${result.retries.sdkAttempts} SDK retry attempts at the gateway, ${result.retries.failedInvocations} failed invocations retried or redelivered`,
    `Duplicates suppressed: every re-sent line, re-uploaded file and twice-delivered event left one order and one saga (checked per order)`,
    result.violations.length === 0
      ? 'Every invariant holds.'
      : `${result.violations.length} violation(s):\n${result.violations.map((v) => `  ${v.area.padEnd(9)} ${v.subject}: ${v.detail}`).join('\n')}${result.log ? `\nEvery injected fault is in ${result.log}` : ''}`,
    '',
  ].join('\n');
};
