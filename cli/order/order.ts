import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  DynamoProviderBooks,
  netChargedCents,
  type PaymentBook,
  type ShipmentBook,
} from '#shared/adapters/provider-books';
import type { RejectEntry } from '../../functions/ingest/rejects-report';
import { reasonOf } from '../dlq/dlq';
import { EXIT, UsageError } from '../shared/errors';
import { getOrder, type OrderView } from '../shared/orders';
import { peekMessages, type QueueMessage } from '../shared/queue-messages';
import { readRejectsReport } from '../shared/rejects';
import type { Target } from '../shared/target';

export interface ExecutionSummary {
  readonly executionArn: string;
  readonly status: string;
  readonly startDate?: string;
  readonly stopDate?: string;
  readonly error?: string;
  readonly cause?: string;
  readonly redriveCount: number;
  /** Every state entered, in order (a retried task or a redrive enters again). */
  readonly statesEntered: readonly string[];
  readonly errors: readonly { readonly state?: string; readonly error: string; readonly cause?: string }[];
  readonly redrives: number;
}

export interface OrderReport {
  readonly order: OrderView;
  readonly ledger?: Record<string, unknown>;
  readonly provider: {
    readonly payment: PaymentBook;
    readonly shipment: ShipmentBook;
    readonly netChargedCents: number;
  };
  readonly execution?: ExecutionSummary;
  /** The linked repair execution (`orderflow repair` of a saga that could not be redriven). */
  readonly repairExecution?: ExecutionSummary;
  readonly deadLetter?: QueueMessage & { readonly reason: string };
  readonly rejects: readonly RejectEntry[];
}

/** The execution of an order: the state machine's, named by the orderId (process-order names it so). */
export const executionArnOf = (stateMachineArn: string, orderId: string): string =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${orderId}`;

const ERROR_DETAILS = [
  'taskFailedEventDetails',
  'lambdaFunctionFailedEventDetails',
  'executionFailedEventDetails',
  'taskTimedOutEventDetails',
  'executionTimedOutEventDetails',
] as const;

/** States entered, errors and redrives, from GetExecutionHistory. */
export const summarizeHistory = (events: readonly HistoryEvent[]) => {
  const statesEntered: string[] = [];
  const errors: { state?: string; error: string; cause?: string }[] = [];
  let current: string | undefined;
  let redrives = 0;
  for (const event of events) {
    if (event.stateEnteredEventDetails?.name) {
      current = event.stateEnteredEventDetails.name;
      statesEntered.push(current);
    }
    if (event.type === 'ExecutionRedriven') redrives += 1;
    for (const key of ERROR_DETAILS) {
      const details = event[key] as { error?: string; cause?: string } | undefined;
      if (details?.error) {
        errors.push({
          ...(current ? { state: current } : {}),
          error: details.error,
          ...(details.cause ? { cause: details.cause } : {}),
        });
      }
    }
  }
  return { statesEntered, errors, redrives };
};

const readExecution = async (
  { clients }: Target,
  executionArn: string,
): Promise<ExecutionSummary | undefined> => {
  let described: DescribeExecutionCommandOutput;
  try {
    described = await clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
  } catch (error) {
    if (error instanceof ExecutionDoesNotExist || (error as Error).name === 'ExecutionDoesNotExist') {
      return undefined;
    }
    throw error;
  }
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await clients.sfn.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return {
    executionArn,
    status: described.status ?? 'UNKNOWN',
    ...(described.startDate ? { startDate: described.startDate.toISOString() } : {}),
    ...(described.stopDate ? { stopDate: described.stopDate.toISOString() } : {}),
    ...(described.error ? { error: described.error } : {}),
    ...(described.cause ? { cause: described.cause } : {}),
    redriveCount: described.redriveCount ?? 0,
    ...summarizeHistory(events),
  };
};

/** The order's rejects-report entries: its correlationId names the file (`bucket/key#line`). */
const readRejects = async ({ clients }: Target, order: OrderView): Promise<RejectEntry[]> => {
  const source = /^([^/]+)\/(.+)#\d+$/.exec(order.correlationId ?? '');
  if (!source?.[1] || !source[2]) return [];
  const report = await readRejectsReport(clients.s3, source[1], source[2]);
  return (report?.rejects ?? []).filter((entry) => entry.orderId === order.orderId);
};

/** How far `order` looks into the DLQ for the order's message (its group's oldest shows). */
const DLQ_LOOK = 100;

export const readOrderReport = async (target: Target, orderId: string): Promise<OrderReport | undefined> => {
  const { clients, names } = target;
  const order = await getOrder(clients.dynamodb, names.ordersTable, orderId);
  if (!order) return undefined;
  const books = new DynamoProviderBooks(clients.dynamodb, names.providerTable);
  const [ledger, payment, shipment, execution, repairExecution, dead, rejects] = await Promise.all([
    clients.dynamodb
      .send(new GetCommand({ TableName: names.paymentsTable, Key: { orderId }, ConsistentRead: true }))
      .then((result) => result.Item),
    books.payment(orderId),
    books.shipment(orderId),
    readExecution(target, executionArnOf(names.stateMachineArn, orderId)),
    order.repairExecutionArn ? readExecution(target, order.repairExecutionArn) : undefined,
    peekMessages(clients.sqs, names.ordersDlqUrl, { max: DLQ_LOOK }),
    readRejects(target, order),
  ]);
  const deadLetter = dead.find((message) => message.groupId === orderId);
  return {
    order,
    ...(ledger ? { ledger } : {}),
    provider: { payment, shipment, netChargedCents: netChargedCents(payment) },
    ...(execution ? { execution } : {}),
    ...(repairExecution ? { repairExecution } : {}),
    ...(deadLetter ? { deadLetter: { ...deadLetter, reason: reasonOf(deadLetter) } } : {}),
    rejects,
  };
};

const money = (cents: number, currency = ''): string =>
  `${(cents / 100).toFixed(2)}${currency ? ` ${currency}` : ''}`;

/** Repeated states (retries, redrives) shown once with a count: `ChargePayment ×2`. */
const compact = (states: readonly string[]): string => {
  const parts: { state: string; count: number }[] = [];
  for (const state of states) {
    const last = parts.at(-1);
    if (last && last.state === state) last.count += 1;
    else parts.push({ state, count: 1 });
  }
  return parts.map((part) => (part.count > 1 ? `${part.state} ×${part.count}` : part.state)).join(' → ');
};

const ledgerLine = (ledger: Record<string, unknown> | undefined): string => {
  if (!ledger) return '  ledger    no payment record';
  const extra = [
    ledger.chargeId ? `charge ${String(ledger.chargeId)}` : '',
    ledger.refundId ? `refund ${String(ledger.refundId)}` : '',
    ledger.declineCode ? `declined ${String(ledger.declineCode)}` : '',
  ].filter(Boolean);
  return `  ledger    ${String(ledger.status)} ${money(Number(ledger.amountCents ?? 0), String(ledger.currency ?? ''))}${extra.length > 0 ? `, ${extra.join(', ')}` : ''}`;
};

export const formatOrderReport = (report: OrderReport): string => {
  const { order, provider, execution, deadLetter, rejects } = report;
  const lines = [`${order.orderId}  ${order.status}${order.statusReason ? `  (${order.statusReason})` : ''}`];
  if (order.correlationId) lines.push(`  from ${order.correlationId}`);
  for (const entry of order.history)
    lines.push(`  ${entry.at}  ${entry.status.padEnd(16)}${entry.reason ?? ''}`);
  lines.push(ledgerLine(report.ledger));
  const p = provider.payment;
  lines.push(
    `  provider  ${p.charge ? `charged ${money(p.charge.amountCents, p.charge.currency)}` : 'no charge'}` +
      `${p.refund ? `, refunded ${money(p.refund.amountCents)}` : ''}${p.voidedAt ? `, voided ${p.voidedAt}` : ''}` +
      `; net ${money(provider.netChargedCents)}`,
  );
  const s = provider.shipment;
  lines.push(
    `  carrier   ${s.shipment ? `parcel ${s.shipment.trackingId} (${s.shipment.carrier})` : 'no parcel'}${s.cancelledAt ? `, cancelled ${s.cancelledAt}` : ''}`,
  );
  const executionLines = (label: string, summary: ExecutionSummary, name = '') => {
    lines.push(
      `  ${label.padEnd(9)} ${name ? `${name} ` : ''}${summary.status}${summary.error ? ` (${summary.error}: ${summary.cause ?? ''})` : ''}` +
        `${summary.redriveCount > 0 ? `, redriven ${summary.redriveCount}×` : ''}`,
    );
    if (summary.statesEntered.length > 0) lines.push(`    states  ${compact(summary.statesEntered)}`);
    for (const error of summary.errors) {
      lines.push(
        `    error   ${error.state ? `${error.state}: ` : ''}${error.error}${error.cause ? ` ${error.cause.slice(0, 160)}` : ''}`,
      );
    }
  };
  if (execution) executionLines('saga', execution);
  else lines.push('  saga      no execution');
  if (report.repairExecution) {
    const repair = report.repairExecution;
    executionLines('repair', repair, repair.executionArn.split(':').at(-1));
  }
  if (deadLetter) lines.push(`  DLQ       ${deadLetter.reason}`);
  for (const entry of rejects) lines.push(`  rejects   line ${entry.line}: ${entry.reasons.join('; ')}`);
  return `${lines.join('\n')}\n`;
};

/** `orderflow order <orderId>`: exit 1 when the order needs attention or does not exist. */
export const showOrder = async (
  target: Target,
  orderId: string,
  options: { readonly json: boolean },
  out: NodeJS.WritableStream,
): Promise<number> => {
  if (orderId.trim() === '') throw new UsageError('an orderId is required, e.g. `orderflow order ord-1001`');
  const report = await readOrderReport(target, orderId);
  if (!report) {
    if (options.json) out.write(`${JSON.stringify({ orderId, found: false })}\n`);
    else out.write(`${orderId}: no such order in ${target.names.ordersTable}\n`);
    return EXIT.badState;
  }
  out.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatOrderReport(report));
  return report.order.status === 'NEEDS_ATTENTION' ? EXIT.badState : EXIT.ok;
};
