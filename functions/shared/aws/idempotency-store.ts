import {
  IdempotencyItemAlreadyExistsError,
  IdempotencyRecordStatus,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';

/**
 * Whether the record a put found is the in-progress record that same put wrote: same status, same
 * expiries to the millisecond (the in-progress one is the invocation's own deadline) and, when the
 * payload is validated, the same payload hash (without validation the item holds none). Two
 * invocations whose deadlines fall on the same millisecond would both take the lock; the work behind
 * it (a conditional order put and a saga started by name, or a file's checkpointed ingest) is safe to
 * run twice at once, so that rare case costs a repeat, never a double effect.
 */
const isTheRecordItWrote = (
  found: IdempotencyRecord | undefined,
  written: IdempotencyRecord,
  payloadValidated: boolean,
): boolean =>
  found !== undefined &&
  written.getStatus() === IdempotencyRecordStatus.INPROGRESS &&
  found.getStatus() === IdempotencyRecordStatus.INPROGRESS &&
  written.inProgressExpiryTimestamp !== undefined &&
  found.inProgressExpiryTimestamp === written.inProgressExpiryTimestamp &&
  found.expiryTimestamp === written.expiryTimestamp &&
  (!payloadValidated || found.payloadHash === written.payloadHash);

/**
 * Powertools' DynamoDB persistence layer, except that taking the in-progress lock survives a lost
 * answer. When DynamoDB wrote the lock but its answer was lost (a connection reset, a timeout), the
 * SDK sends the PutItem again; its condition then fails on the lock the first attempt wrote, and
 * Powertools reports the key as in progress elsewhere. The invocation would lock itself out until its
 * own deadline: a message would spend one of its receives, an S3 event would wait out the ingest's
 * timeout. Here a put that finds exactly the record it wrote has taken the lock.
 */
export class RetrySafeDynamoDBPersistenceLayer extends DynamoDBPersistenceLayer {
  protected override async _putRecord(record: IdempotencyRecord): Promise<void> {
    try {
      await super._putRecord(record);
    } catch (error) {
      if (
        error instanceof IdempotencyItemAlreadyExistsError &&
        isTheRecordItWrote(error.existingRecord, record, this.isPayloadValidationEnabled())
      ) {
        return;
      }
      throw error;
    }
  }
}
