import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

/** One rejected record. `remainder` marks the unreadable rest of a file, from `line` on. */
export interface RejectEntry {
  readonly line: number;
  readonly orderId?: string;
  readonly lines?: readonly number[];
  readonly reasons: readonly string[];
  readonly remainder?: true;
}

export interface IngestSummary {
  readonly recordsRead: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly bytesRead: number;
  readonly sourceBucket: string;
  readonly sourceKey: string;
  readonly versionId: string | null;
  readonly format: string | null;
  /** False when the file, or its rest from some line on, could not be read. */
  readonly complete: boolean;
  readonly reportKey: string;
  /**
   * Present when this invocation did not finish the file itself; the counts are then the file's so
   * far. `message`: it saved a checkpoint and sent a continuation; `another-invocation`: an invocation
   * that resumed from the same checkpoint saved first and carries on; `already-finished`: nothing left.
   */
  readonly continuation?: {
    readonly checkpoint: number;
    readonly by: 'message' | 'another-invocation' | 'already-finished';
  };
}

/** S3's minimum size for every part of a multipart upload except the last. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;

const CONTENT_TYPE = 'application/x-ndjson';

/** S3's longest key, in UTF-8 bytes. */
const MAX_KEY_BYTES = 1024;

/** The first `maxBytes` of `text` in UTF-8, never cutting a character in two. */
const utf8Prefix = (text: string, maxBytes: number): string => {
  let bytes = 0;
  let end = 0;
  for (const character of text) {
    bytes += Buffer.byteLength(character, 'utf8');
    if (bytes > maxBytes) break;
    end += character.length;
  }
  return text.slice(0, end);
};

/**
 * `rejected/<key>.errors.jsonl`. A source key near S3's 1,024-byte limit would make that key too
 * long, and PutObject would fail on every retry: such a key is cut and made unique again with a
 * hash of the whole key (the report's summary names the source key in full).
 */
export const reportKeyFor = (sourceKey: string): string => {
  const key = `rejected/${sourceKey}.errors.jsonl`;
  if (Buffer.byteLength(key, 'utf8') <= MAX_KEY_BYTES) return key;
  const hash = createHash('sha256').update(sourceKey).digest('hex').slice(0, 16);
  const room = MAX_KEY_BYTES - Buffer.byteLength(`rejected/~${hash}.errors.jsonl`, 'utf8');
  return `rejected/${utf8Prefix(sourceKey, room)}~${hash}.errors.jsonl`;
};

/**
 * Where one invocation of a continued file writes its part of the rejects report until the last
 * one assembles the whole report. Unique per attempt, so two invocations racing from the same
 * checkpoint never overwrite each other's part; under rejected/, where the ingest may write.
 */
export const segmentKeyFor = (ref: { bucket: string; key: string; version: string }, seq: number): string => {
  const file = createHash('sha256')
    .update(`${ref.bucket}/${ref.key}#${ref.version}`)
    .digest('hex')
    .slice(0, 32);
  return `rejected/.continued/${file}/${String(seq).padStart(6, '0')}-${randomUUID()}.jsonl`;
};

/**
 * Writes the rejects report as JSON lines while the file is read, through lib-storage's Upload (as the
 * CLI's upload does): a report smaller than one part is one PutObject, a larger one a multipart upload
 * whose parts (5 MiB or more, as S3 requires of every part but the last) go out as they fill. One part
 * is uploaded at a time and the lines reach it through a stream with backpressure, so memory is bounded
 * by about one part however many records are rejected. Nothing is written until the first line. The
 * summary line always comes last, so a report is complete exactly when it ends with a summary.
 */
export class RejectsReport {
  readonly #s3: S3Client;
  readonly #bucket: string;
  readonly #key: string;
  readonly #partBytes: number;
  #stream: PassThrough | undefined;
  /** Settles when the upload ends; rejects with its error. */
  #done: Promise<void> | undefined;
  #bytes = 0;

  constructor(s3: S3Client, bucket: string, key: string, partBytes: number = MIN_PART_BYTES) {
    if (!Number.isSafeInteger(partBytes) || partBytes < MIN_PART_BYTES) {
      throw new RangeError(
        `a report part is at least ${MIN_PART_BYTES} bytes (S3's minimum), got ${partBytes}`,
      );
    }
    this.#s3 = s3;
    this.#bucket = bucket;
    this.#key = key;
    this.#partBytes = partBytes;
  }

  get key(): string {
    return this.#key;
  }

  async add(entry: RejectEntry): Promise<void> {
    await this.#write(Buffer.from(`${JSON.stringify(entry)}\n`, 'utf8'));
  }

  /** Bytes of report lines added so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Report lines written elsewhere (an earlier segment), added as they are: whole lines, in order. */
  async addLines(lines: Uint8Array): Promise<void> {
    await this.#write(Buffer.from(lines));
  }

  /**
   * Writes what was added as an object of its own, without a summary: one segment of a report that
   * an invocation continuing the file completes. Writes nothing and returns 0 when nothing was added.
   */
  async finishSegment(): Promise<number> {
    if (this.#bytes === 0) return 0;
    await this.#end();
    return this.#bytes;
  }

  async finish(summary: IngestSummary): Promise<void> {
    // The summary is not counted in `bytes`: a segment never holds one.
    const bytes = this.#bytes;
    await this.#write(Buffer.from(`${JSON.stringify({ summary })}\n`, 'utf8'));
    this.#bytes = bytes;
    await this.#end();
  }

  /**
   * Best effort: the stream fails, so Upload stops and aborts a started multipart upload before it
   * settles; the bucket's lifecycle rule cleans up what this misses.
   */
  async abort(): Promise<void> {
    if (this.#stream === undefined || this.#done === undefined) return;
    this.#stream.destroy(new Error(`the rejects report ${this.#key} was abandoned`));
    await this.#done.catch(() => undefined);
  }

  #start(): { readonly stream: PassThrough; readonly done: Promise<void> } {
    const stream = new PassThrough();
    const upload = new Upload({
      client: this.#s3,
      params: { Bucket: this.#bucket, Key: this.#key, Body: stream, ContentType: CONTENT_TYPE },
      partSize: this.#partBytes,
      // One part in flight: the next one fills while it uploads, and no more is held.
      queueSize: 1,
    });
    const done = upload.done().then(() => undefined);
    // Observed here so a failure before the next write or the end is never an unhandled rejection.
    done.catch(() => undefined);
    this.#stream = stream;
    this.#done = done;
    return { stream, done };
  }

  async #write(chunk: Buffer): Promise<void> {
    const { stream, done } =
      this.#stream && this.#done ? { stream: this.#stream, done: this.#done } : this.#start();
    this.#bytes += chunk.byteLength;
    if (stream.write(chunk)) return;
    // The part being filled is full and the one before it is still uploading: wait, unless the upload failed.
    await Promise.race([
      once(stream, 'drain'),
      done.then(() => {
        throw new Error(`the upload of ${this.#key} ended before the report did`);
      }),
    ]);
  }

  async #end(): Promise<void> {
    const { stream, done } =
      this.#stream && this.#done ? { stream: this.#stream, done: this.#done } : this.#start();
    stream.end();
    await done;
  }
}
