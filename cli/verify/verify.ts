import { netChargedCents } from '#shared/adapters/provider-books';
import type { CliClients } from '../shared/clients';
import type { PipelineNames } from '../shared/names';
import { deadLetterClass, findViolations, type Violation } from './checks';
import { type CollectOptions, collectSnapshot } from './collect';
import type { VerifySnapshot } from './snapshot';

export interface VerifySummary {
  readonly files: number;
  readonly records: { readonly read: number; readonly accepted: number; readonly rejected: number };
  readonly ordersByStatus: Readonly<Record<string, number>>;
  readonly deadLetters: Readonly<Record<string, number>>;
  readonly executionsByStatus: Readonly<Record<string, number>>;
  readonly repairExecutionsByStatus: Readonly<Record<string, number>>;
  readonly money: {
    readonly chargedCents: number;
    readonly refundedCents: number;
    readonly heldCents: number;
  };
  readonly stock: { readonly skus: number; readonly seededSkus: number };
  readonly attentionMetricChecked: boolean;
}

export interface VerifyResult {
  readonly summary: VerifySummary;
  readonly violations: readonly Violation[];
}

const countBy = <T>(items: readonly T[], key: (item: T) => string): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
};

export const summarize = (snapshot: VerifySnapshot): VerifySummary => {
  const summaries = snapshot.files.flatMap((file) => (file.report?.summary ? [file.report.summary] : []));
  const sum = (pick: (s: (typeof summaries)[number]) => number) =>
    summaries.reduce((total, s) => total + pick(s), 0);
  return {
    files: snapshot.files.length,
    records: {
      read: sum((s) => s.recordsRead),
      accepted: sum((s) => s.accepted),
      rejected: sum((s) => s.rejected),
    },
    ordersByStatus: countBy(snapshot.orders, (order) => order.status ?? 'NONE'),
    deadLetters: countBy(snapshot.deadLetters, deadLetterClass),
    executionsByStatus: countBy(snapshot.executions, (execution) => execution.status),
    repairExecutionsByStatus: countBy(snapshot.repairExecutions ?? [], (execution) => execution.status),
    money: {
      chargedCents: snapshot.paymentBooks.reduce((total, book) => total + (book.charge?.amountCents ?? 0), 0),
      refundedCents: snapshot.paymentBooks.reduce(
        (total, book) => total + (book.refund?.amountCents ?? 0),
        0,
      ),
      heldCents: snapshot.paymentBooks.reduce((total, book) => total + netChargedCents(book), 0),
    },
    stock: {
      skus: snapshot.stock.length,
      seededSkus: snapshot.stock.filter((item) => item.seeded !== undefined).length,
    },
    attentionMetricChecked: snapshot.attentionMetric !== undefined,
  };
};

export const judge = (snapshot: VerifySnapshot): VerifyResult => ({
  summary: summarize(snapshot),
  violations: findViolations(snapshot),
});

/** Reads the pipeline's external records and checks every guarantee against them. */
export const verify = async (
  clients: CliClients,
  names: PipelineNames,
  options: CollectOptions = {},
): Promise<VerifyResult> => judge(await collectSnapshot(clients, names, options));

const cents = (value: number): string => (value / 100).toFixed(2);

/** The human-readable report: what was checked, then each violation on its own line. */
export const formatVerify = ({ summary, violations }: VerifyResult): string => {
  const lines = [
    `Files ingested: ${summary.files} (records read ${summary.records.read}, accepted ${summary.records.accepted}, rejected ${summary.records.rejected})`,
    `Orders by status: ${
      Object.entries(summary.ordersByStatus)
        .map(([status, n]) => `${status} ${n}`)
        .join(', ') || 'none'
    }`,
    `Dead letters: ${
      Object.entries(summary.deadLetters)
        .map(([type, n]) => `${type} ${n}`)
        .join(', ') || 'none'
    }`,
    `Saga executions: ${
      Object.entries(summary.executionsByStatus)
        .map(([status, n]) => `${status} ${n}`)
        .join(', ') || 'none'
    }`,
    `Repair executions: ${
      Object.entries(summary.repairExecutionsByStatus)
        .map(([status, n]) => `${status} ${n}`)
        .join(', ') || 'none'
    }`,
    `Money at the provider: charged ${cents(summary.money.chargedCents)}, refunded ${cents(summary.money.refundedCents)}, held ${cents(summary.money.heldCents)}`,
    `Stock: ${summary.stock.skus} skus, ${summary.stock.seededSkus} seeded with orderflow seed (only those are checked for conservation)`,
    `NEEDS_ATTENTION metric: ${summary.attentionMetricChecked ? 'checked against the function logs' : 'not checked (no log source)'}`,
    '',
    violations.length === 0
      ? 'Every guarantee holds.'
      : `${violations.length} violation(s):\n${violations.map((v) => `  ${v.area.padEnd(9)} ${v.subject}: ${v.detail}`).join('\n')}`,
  ];
  return `${lines.join('\n')}\n`;
};
