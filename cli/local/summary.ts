import type { ServiceCalls } from '../../local/api-calls';
import type { AsyncFailure } from '../../local/lambda/async-invoke';
import { FINAL_STATUSES } from '../shared/final-statuses';
import type { QueueMessage } from '../shared/queue-messages';
import type { PipelineView } from './settle';

export interface QueueContents {
  readonly label: string;
  readonly messages: readonly QueueMessage[];
}

export interface DemoReport {
  readonly upload: {
    readonly file: string;
    readonly bucket: string;
    readonly key: string;
    readonly bytes: number;
  };
  readonly view: PipelineView;
  readonly deadLetters: QueueContents;
  /** Queues holding events functions could not take (on-failure destinations). */
  readonly failureQueues: readonly QueueContents[];
  readonly asyncFailures: readonly AsyncFailure[];
  readonly apiCalls: Readonly<Record<string, ServiceCalls>>;
  readonly invocations: readonly {
    readonly name: string;
    readonly invocations: number;
    readonly errors: number;
  }[];
  readonly timings: { readonly startupMs: number; readonly settleMs: number };
  readonly timeScale: number;
  readonly unsettled?: string;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const ordersSection = (view: PipelineView): string[] => {
  const lines = [`Orders by final status (${view.orders.length})`];
  for (const status of FINAL_STATUSES) {
    const orders = view.orders.filter((order) => order.status === status);
    lines.push(`  ${status.padEnd(16)} ${String(orders.length).padStart(3)}`);
    if (status === 'COMPLETED') {
      if (orders.length > 0) lines.push(`    ${orders.map((order) => order.orderId).join(' ')}`);
      continue;
    }
    for (const order of orders)
      lines.push(`    ${order.orderId.padEnd(16)} ${order.statusReason ?? '(no reason recorded)'}`);
  }
  const open = view.orders.filter((order) => !(FINAL_STATUSES as readonly string[]).includes(order.status));
  for (const order of open) lines.push(`  still ${order.status.padEnd(10)} ${order.orderId}`);
  return lines;
};

const rejectsSection = (report: DemoReport): string[] => {
  const { view, upload } = report;
  if (view.ingestFailure) {
    const f = view.ingestFailure;
    return [
      `Ingest failed after ${f.attempts} attempt(s): ${f.errorType}: ${f.errorMessage}`,
      `  the event went to ${f.destination ?? 'nowhere (no on-failure destination)'}`,
    ];
  }
  const summary = view.report?.summary;
  if (!view.report || !summary) return ['Rejected records: ingest did not finish the file'];
  const lines = [
    `Ingest: ${summary.recordsRead} records read, ${summary.accepted} accepted, ${summary.rejected} rejected${summary.complete ? '' : ' (the file itself was rejected)'}`,
    `Rejected records (${view.report.rejects.length}) in s3://${upload.bucket}/${view.report.key}`,
  ];
  for (const reject of view.report.rejects) {
    const where = reject.lines ? `lines ${reject.lines.join(',')}` : `line ${reject.line}`;
    lines.push(`  ${where.padEnd(9)} ${(reject.orderId ?? '?').padEnd(16)} ${reject.reasons.join('; ')}`);
  }
  return lines;
};

const queueSection = ({ label, messages }: QueueContents): string[] => {
  if (messages.length === 0) return [`${label}: empty`];
  return [
    `${label}: ${messages.length} message(s)`,
    ...messages.map((message) => {
      const why = message.attributes.errorType
        ? `${message.attributes.errorType}: ${message.attributes.errorReason ?? ''}`
        : `received ${message.receiveCount}× (moved by the redrive policy)`;
      return `  ${(message.groupId ?? message.messageId).padEnd(16)} ${why}`;
    }),
  ];
};

const apiSection = (calls: Readonly<Record<string, ServiceCalls>>): string[] => {
  const total = Object.values(calls).reduce((sum, service) => sum + service.total, 0);
  return [
    `AWS API calls through the local endpoint: ${total}`,
    ...Object.entries(calls).map(([service, { total: n, operations }]) => {
      const top = Object.entries(operations)
        .map(([operation, count]) => `${operation} ${count}`)
        .join(', ');
      return `  ${service.padEnd(9)} ${String(n).padStart(5)}  (${top})`;
    }),
  ];
};

/** The demo's closing report, as lines of text. */
export const formatDemoReport = (report: DemoReport): string[] => {
  const { upload, timings } = report;
  const invocations = report.invocations
    .filter((fn) => fn.invocations > 0)
    .map((fn) => `${fn.name} ${fn.invocations}${fn.errors ? ` (${fn.errors} failed)` : ''}`)
    .join(', ');
  const lost = report.asyncFailures.filter((failure) => failure.destination === undefined);
  return [
    '',
    `Uploaded ${upload.file} → s3://${upload.bucket}/${upload.key} (${upload.bytes} bytes)`,
    ...rejectsSection(report),
    '',
    ...ordersSection(report.view),
    '',
    ...queueSection(report.deadLetters),
    ...report.failureQueues.flatMap(queueSection),
    ...(lost.length > 0 ? [`Events dropped with no destination: ${lost.length}`] : []),
    '',
    ...apiSection(report.apiCalls),
    `Lambda invocations: ${invocations || 'none'}`,
    '',
    `Start-up ${seconds(timings.startupMs)}, upload to settled ${seconds(timings.settleMs)}; saga timing ×${report.timeScale}.`,
    report.unsettled ? `NOT SETTLED: ${report.unsettled}` : 'Every accepted order reached a final state.',
  ];
};
