import { ORDER_STATUSES } from '../shared/final-statuses';
import type { PipelineView } from './settle';

/** e.g. `RECEIVED 2 · RESERVED 1 · COMPLETED 9 · CANCELLED 1 | queue 3 · running 4`. */
export const tallyLine = (view: PipelineView): string => {
  const counts = new Map<string, number>();
  for (const order of view.orders) counts.set(order.status, (counts.get(order.status) ?? 0) + 1);
  const statuses = ORDER_STATUSES.filter((status) => counts.has(status)).map(
    (status) => `${status} ${counts.get(status)}`,
  );
  const queued = view.queue.visible + view.queue.inFlight + view.queue.delayed;
  const ingest = view.report?.summary
    ? `ingested ${view.report.summary.accepted}/${view.report.summary.recordsRead}`
    : view.ingestFailure
      ? 'ingest failed'
      : 'ingesting';
  return `${ingest} | ${statuses.length > 0 ? statuses.join(' · ') : 'no orders yet'} | queue ${queued} · sagas running ${view.runningExecutions}`;
};

/**
 * Progress while orders move: on a terminal one line rewritten in place; elsewhere (CI, a pipe) a
 * new line only when the tally changes, so logs stay readable.
 */
export class Progress {
  private last = '';
  private readonly started = Date.now();

  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(view: PipelineView): void {
    const line = tallyLine(view);
    const elapsed = `${((Date.now() - this.started) / 1000).toFixed(1).padStart(5)}s`;
    if (this.stream.isTTY) {
      const text = `  ${elapsed}  ${line}`.slice(0, (this.stream.columns ?? 120) - 1);
      this.stream.write(`\r\x1b[2K${text}`);
    } else if (line !== this.last) {
      this.stream.write(`  ${elapsed}  ${line}\n`);
    }
    this.last = line;
  }

  done(): void {
    if (this.stream.isTTY) this.stream.write('\n');
  }
}
