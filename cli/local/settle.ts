import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import type { AsyncFailure } from '../../local/lambda/async-invoke';
import type { LocalRuntime } from '../../local/runtime';
import type { CliClients } from '../shared/clients';
import type { PipelineNames } from '../shared/names';
import { isFinal, type OrderView, scanOrders } from '../shared/orders';
import { type QueueDepth, queueDepth } from '../shared/queue-messages';
import { type RejectsReportView, readRejectsReport } from '../shared/rejects';

export interface PipelineView {
  readonly report?: RejectsReportView;
  readonly ingestFailure?: AsyncFailure;
  readonly orders: readonly OrderView[];
  readonly queue: QueueDepth;
  readonly runningExecutions: number;
  readonly busy: number;
}

export interface SettleTarget {
  readonly clients: CliClients;
  readonly bucket: string;
  readonly sourceKey: string;
  readonly ordersTable: string;
  readonly ordersQueueUrl: string;
  readonly stateMachineArn: string;
  readonly ingestFunctionName: string;
  readonly busy: () => number;
  readonly asyncFailures: () => readonly AsyncFailure[];
}

/** What to watch after uploading `sourceKey` to a pipeline run by the local runtime. */
export const settleTargetOf = (
  runtime: Pick<LocalRuntime, 'busy' | 'asyncFailures'>,
  clients: CliClients,
  names: PipelineNames,
  sourceKey: string,
): SettleTarget => ({
  clients,
  bucket: names.ingestBucket,
  sourceKey,
  ordersTable: names.ordersTable,
  ordersQueueUrl: names.ordersQueueUrl,
  stateMachineArn: names.stateMachineArn,
  ingestFunctionName: names.ingestFunctionName,
  busy: () => runtime.busy(),
  asyncFailures: () => runtime.asyncFailures(),
});

export const observe = async (target: SettleTarget, known?: RejectsReportView): Promise<PipelineView> => {
  const { clients } = target;
  const [report, orders, queue, running] = await Promise.all([
    known?.summary ? known : readRejectsReport(clients.s3, target.bucket, target.sourceKey),
    scanOrders(clients.dynamodb, target.ordersTable),
    queueDepth(clients.sqs, target.ordersQueueUrl),
    clients.sfn.send(
      new ListExecutionsCommand({ stateMachineArn: target.stateMachineArn, statusFilter: 'RUNNING' }),
    ),
  ]);
  const ingestFailure = target
    .asyncFailures()
    .find((failure) => failure.functionName === target.ingestFunctionName);
  return {
    ...(report ? { report } : {}),
    ...(ingestFailure ? { ingestFailure } : {}),
    orders,
    queue,
    runningExecutions: running.executions?.length ?? 0,
    busy: target.busy(),
  };
};

/** Why the pipeline is not done yet, or undefined when it is. */
export const unsettledReason = (view: PipelineView): string | undefined => {
  if (!view.report?.summary && !view.ingestFailure)
    return 'ingest has not finished the file (no complete rejects report yet)';
  const open = view.orders.filter((order) => !isFinal(order.status));
  if (open.length > 0) {
    return `${open.length} order(s) not in a final state: ${open.map((o) => `${o.orderId} ${o.status}`).join(', ')}`;
  }
  const { visible, inFlight, delayed } = view.queue;
  if (visible + inFlight + delayed > 0) {
    return `orders queue still holds ${visible} visible, ${inFlight} in-flight, ${delayed} delayed message(s)`;
  }
  if (view.runningExecutions > 0) return `${view.runningExecutions} saga execution(s) still running`;
  if (view.busy > 0) return `${view.busy} function invocation(s) or event deliveries still under way`;
  return undefined;
};

/**
 * Polls until the pipeline is done with the upload: ingest finished the file, every order is
 * final, the orders queue is empty, no execution runs and no invocation is under way, seen on two
 * polls in a row (an execution's ending reaches its rule a moment after the status changes).
 */
export const waitUntilSettled = async (
  target: SettleTarget,
  options: {
    readonly deadline: number;
    readonly intervalMs?: number;
    readonly onView?: (view: PipelineView) => void;
  },
): Promise<{ readonly view: PipelineView; readonly unsettled?: string }> => {
  let calm = 0;
  let view = await observe(target);
  for (;;) {
    options.onView?.(view);
    const reason = unsettledReason(view);
    calm = reason === undefined ? calm + 1 : 0;
    if (calm >= 2) return { view };
    if (Date.now() >= options.deadline)
      return { view, unsettled: reason ?? 'not settled on two polls in a row' };
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
    view = await observe(target, view.report);
  }
};
