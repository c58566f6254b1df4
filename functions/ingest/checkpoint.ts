import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ObjectRef } from './object-ref';

/** A finished piece of the rejects report: the object and how many of its bytes belong to the report. */
export interface ReportSegment {
  readonly key: string;
  readonly bytes: number;
}

/**
 * Where the ingest of one object version stands between invocations. `recordsRead` is the
 * low-water mark: every record before it is accepted (SQS confirmed its message) or rejected (its
 * entry is in a report segment), because an invocation stops reading and lets every call in flight
 * settle before it saves a checkpoint. `seq` rises by one with every save.
 */
export interface Checkpoint {
  readonly seq: number;
  /** The ETag of the object version being read: a continuation reads only this content. */
  readonly etag: string;
  readonly recordsRead: number;
  readonly accepted: number;
  readonly rejected: number;
  /**
   * Where a plain JSON Lines file continues with a ranged GetObject: the byte offset of the line after
   * the last record done, and its number. Absent where the records done are parsed again and skipped
   * (gzip, CSV, JSON arrays, UTF-16 text).
   */
  readonly resumeAt?: { readonly byte: number; readonly line: number };
  /** The rejects report so far, in file order. */
  readonly segments: readonly ReportSegment[];
  /** The file is finished and its report written. */
  readonly done: boolean;
  /** False once part of the file was unreadable (see IngestSummary.complete). */
  readonly complete: boolean;
}

/** Stable across renames, like the idempotency records it sits beside. */
const ID_PREFIX = 'orderflow-ingest-checkpoint';

/** How long a checkpoint is kept after its last save: far beyond any chain of continuations. */
const TTL_SECONDS = 7 * 86_400;

export const checkpointId = (ref: Pick<ObjectRef, 'bucket' | 'key' | 'version'>): string =>
  `${ID_PREFIX}#${ref.bucket}/${ref.key}#${ref.version}`;

/**
 * Checkpoints in the ingest's idempotency table (partition key `id`, TTL on `expiration`), one
 * item per object version. A save is conditional on the sequence number the saver resumed from:
 * two invocations that resumed from the same checkpoint (a duplicate S3 event, a redelivered
 * continuation message) both read the same records, but only the first to save moves the file on.
 */
export class CheckpointStore {
  readonly #documents: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #now: () => number;

  constructor(documents: DynamoDBDocumentClient, table: string, now: () => number = Date.now) {
    this.#documents = documents;
    this.#table = table;
    this.#now = now;
  }

  async load(ref: ObjectRef): Promise<Checkpoint | undefined> {
    const { Item } = await this.#documents.send(
      new GetCommand({ TableName: this.#table, Key: { id: checkpointId(ref) }, ConsistentRead: true }),
    );
    if (Item === undefined) return undefined;
    return {
      seq: Number(Item.seq),
      etag: String(Item.etag),
      recordsRead: Number(Item.recordsRead),
      accepted: Number(Item.accepted),
      rejected: Number(Item.rejected),
      ...(typeof Item.resumeAt === 'object' && Item.resumeAt !== null
        ? { resumeAt: { byte: Number(Item.resumeAt.byte), line: Number(Item.resumeAt.line) } }
        : {}),
      segments: Array.isArray(Item.segments) ? (Item.segments as ReportSegment[]) : [],
      done: Item.done === true,
      complete: Item.complete !== false,
    };
  }

  /**
   * Saves `next` if the stored checkpoint still has `expectedSeq` (0: none saved yet). Returns false
   * when another invocation saved first: this one's work since `expectedSeq` is then not the file's.
   */
  async advance(ref: ObjectRef, expectedSeq: number, next: Checkpoint): Promise<boolean> {
    if (next.seq !== expectedSeq + 1) {
      throw new Error(`checkpoint ${next.seq} cannot follow checkpoint ${expectedSeq}`);
    }
    try {
      await this.#documents.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            id: checkpointId(ref),
            ...next,
            segments: [...next.segments],
            expiration: Math.floor(this.#now() / 1000) + TTL_SECONDS,
          },
          ...(expectedSeq === 0
            ? { ConditionExpression: 'attribute_not_exists(id)' }
            : {
                ConditionExpression: 'seq = :expected',
                ExpressionAttributeValues: { ':expected': expectedSeq },
              }),
        }),
      );
      return true;
    } catch (error) {
      // By name: the document client may sit on another copy of client-dynamodb than this module.
      if ((error as { name?: unknown }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}
