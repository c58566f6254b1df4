import {
  BatchProcessor,
  EventType,
  SqsFifoMessageGroupShortCircuitError,
} from '@aws-lambda-powertools/batch';
import type { FailureResponse, SuccessResponse } from '@aws-lambda-powertools/batch/types';
import type { SQSRecord } from 'aws-lambda';

type Response = SuccessResponse | FailureResponse;

/**
 * SQS FIFO partial batches with the message groups processed at once. Powertools'
 * SqsFifoPartialProcessorAsync handles a batch's records one after another; a Lambda batch often
 * holds ten different orders (groups), each waiting on its own DynamoDB and Step Functions calls.
 * Here each group runs in order on its own, all groups concurrently: a record starts only after the
 * one before it in its group succeeded, and once a record fails, the rest of its group is failed
 * unprocessed (SqsFifoMessageGroupShortCircuitError), exactly as `skipGroupOnError` does, while the
 * other groups go on. The failures are reported in the batch's order; a batch that failed entirely
 * throws FullBatchFailureError as Powertools' processors do. Used with processPartialResponse.
 */
export class SqsFifoGroupParallelProcessor extends BatchProcessor {
  constructor() {
    super(EventType.SQS);
  }

  override async process(): Promise<Response[]> {
    this.prepare();
    const records = this.records as SQSRecord[];
    const groups = new Map<string, SQSRecord[]>();
    for (const record of records) {
      const group = record.attributes?.MessageGroupId ?? record.messageId;
      groups.set(group, [...(groups.get(group) ?? []), record]);
    }
    const results = new Map<SQSRecord, Response>();
    await Promise.all(
      [...groups.values()].map(async (members) => {
        let failed = false;
        for (const record of members) {
          const result = failed
            ? this.failureHandler(
                this.toBatchType(record, this.eventType),
                new SqsFifoMessageGroupShortCircuitError(),
              )
            : await this.processRecord(record);
          results.set(record, result);
          if (result[0] === 'fail') failed = true;
        }
      }),
    );
    // Report failures in the batch's order, as the sequential processor does.
    const position = new Map(records.map((record, index) => [record, index]));
    this.failureMessages = [...this.failureMessages].sort(
      (a, b) => (position.get(a as SQSRecord) ?? 0) - (position.get(b as SQSRecord) ?? 0),
    );
    this.clean();
    return records.flatMap((record) => {
      const result = results.get(record);
      return result === undefined ? [] : [result];
    });
  }
}
