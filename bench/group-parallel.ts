/**
 * process-order's batch processors side by side: Powertools' SqsFifoPartialProcessorAsync (records one
 * after another, skipGroupOnError) against SqsFifoGroupParallelProcessor (groups at once, in order within
 * a group). A record makes the AWS calls process-order makes for a new order (idempotency put, order put,
 * StartExecution, idempotency update), each answered after a simulated latency. Two batches: 10 messages
 * in 10 groups (the common case: ten orders) and 10 messages in 2 groups.
 */
import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { SqsFifoGroupParallelProcessor } from '../functions/process-order/fifo-group-processor';

export interface GroupParallelResult {
  readonly batch: string;
  readonly callLatencyMs: number;
  readonly callsPerRecord: number;
  readonly sequentialMs: number;
  readonly groupParallelMs: number;
  readonly speedup: number;
}

const CALLS_PER_RECORD = 4;

const record = (index: number, groups: number): SQSRecord => ({
  messageId: `m-${index}`,
  receiptHandle: `r-${index}`,
  body: '{}',
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: '0',
    SenderId: 'bench',
    ApproximateFirstReceiveTimestamp: '0',
    SequenceNumber: String(index),
    MessageGroupId: `g-${index % groups}`,
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:orders.fifo',
  awsRegion: 'us-east-1',
});

const timed = async (run: () => Promise<unknown>): Promise<number> => {
  const started = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - started) / 1e6;
};

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

export const benchGroupParallel = async (callLatencyMs = 20, repeats = 5): Promise<GroupParallelResult[]> => {
  const awsCall = () => new Promise((resolve) => setTimeout(resolve, callLatencyMs));
  const handler = async (_record: SQSRecord): Promise<void> => {
    for (let call = 0; call < CALLS_PER_RECORD; call += 1) await awsCall();
  };
  const results: GroupParallelResult[] = [];
  for (const groups of [10, 2]) {
    const event: SQSEvent = { Records: Array.from({ length: 10 }, (_, i) => record(i, groups)) };
    const sequential: number[] = [];
    const parallel: number[] = [];
    // Alternating, so both meet the same moments of a noisy machine.
    for (let r = 0; r < repeats; r += 1) {
      sequential.push(
        await timed(() =>
          processPartialResponse(event, handler, new SqsFifoPartialProcessorAsync(), {
            skipGroupOnError: true,
          }),
        ),
      );
      parallel.push(
        await timed(() => processPartialResponse(event, handler, new SqsFifoGroupParallelProcessor())),
      );
    }
    const sequentialMs = median(sequential);
    const groupParallelMs = median(parallel);
    results.push({
      batch: `10 messages in ${groups} groups`,
      callLatencyMs,
      callsPerRecord: CALLS_PER_RECORD,
      sequentialMs: Number(sequentialMs.toFixed(1)),
      groupParallelMs: Number(groupParallelMs.toFixed(1)),
      speedup: Number((sequentialMs / groupParallelMs).toFixed(2)),
    });
  }
  return results;
};

export const printGroupParallel = (results: readonly GroupParallelResult[]): void => {
  for (const r of results) {
    console.log(
      `process-order batch, ${r.batch}, ${r.callsPerRecord} calls of ${r.callLatencyMs} ms per record: ` +
        `Powertools sequential ${r.sequentialMs} ms, group-parallel ${r.groupParallelMs} ms, ${r.speedup}x`,
    );
  }
};

if (require.main === module) {
  void benchGroupParallel().then(printGroupParallel);
}
