import { createHash, randomUUID } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';

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
 * Writes the rejects report as JSON lines while the file is read. Up to one part (5 MiB) is
 * buffered; a report that stays smaller is written with one PutObject, a larger one switches to a
 * multipart upload and sends each full part as it fills. Memory is bounded by one part however
 * many records are rejected. The summary line always comes last, so a report is complete exactly
 * when it ends with a summary.
 */
export class RejectsReport {
  readonly #s3: S3Client;
  readonly #bucket: string;
  readonly #key: string;
  readonly #partBytes: number;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #uploadId: string | undefined;
  readonly #parts: CompletedPart[] = [];
  #bytes = 0;

  constructor(s3: S3Client, bucket: string, key: string, partBytes: number = MIN_PART_BYTES) {
    this.#s3 = s3;
    this.#bucket = bucket;
    this.#key = key;
    this.#partBytes = partBytes;
  }

  get key(): string {
    return this.#key;
  }

  async add(entry: RejectEntry): Promise<void> {
    await this.#write(entry);
  }

  /** Bytes of report lines added so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Report lines written elsewhere (an earlier segment), added as they are: whole lines, in order. */
  async addLines(lines: Uint8Array): Promise<void> {
    this.#chunks.push(Buffer.from(lines));
    this.#buffered += lines.byteLength;
    this.#bytes += lines.byteLength;
    await this.#flushFullPart();
  }

  /**
   * Writes what was added as an object of its own, without a summary: one segment of a report that
   * an invocation continuing the file completes. Writes nothing and returns 0 when nothing was added.
   */
  async finishSegment(): Promise<number> {
    if (this.#bytes === 0) return 0;
    await this.#complete(this.#take());
    return this.#bytes;
  }

  async finish(summary: IngestSummary): Promise<void> {
    this.#append({ summary });
    await this.#complete(this.#take());
  }

  async #complete(body: Buffer): Promise<void> {
    if (this.#uploadId === undefined) {
      await this.#s3.send(
        new PutObjectCommand({ Bucket: this.#bucket, Key: this.#key, Body: body, ContentType: CONTENT_TYPE }),
      );
      return;
    }
    await this.#uploadPart(body);
    await this.#s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.#bucket,
        Key: this.#key,
        UploadId: this.#uploadId,
        MultipartUpload: { Parts: this.#parts },
      }),
    );
  }

  /** Best effort: the bucket's lifecycle rule aborts incomplete uploads that this misses. */
  async abort(): Promise<void> {
    this.#chunks = [];
    this.#buffered = 0;
    if (this.#uploadId === undefined) return;
    const uploadId = this.#uploadId;
    this.#uploadId = undefined;
    try {
      await this.#s3.send(
        new AbortMultipartUploadCommand({ Bucket: this.#bucket, Key: this.#key, UploadId: uploadId }),
      );
    } catch {
      // The ingest is failing with a more important error; the lifecycle rule cleans up.
    }
  }

  async #write(value: unknown): Promise<void> {
    this.#bytes += this.#append(value);
    await this.#flushFullPart();
  }

  async #flushFullPart(): Promise<void> {
    if (this.#buffered < this.#partBytes) return;
    if (this.#uploadId === undefined) {
      const created = await this.#s3.send(
        new CreateMultipartUploadCommand({ Bucket: this.#bucket, Key: this.#key, ContentType: CONTENT_TYPE }),
      );
      if (created.UploadId === undefined) throw new Error(`S3 returned no UploadId for ${this.#key}`);
      this.#uploadId = created.UploadId;
    }
    await this.#uploadPart(this.#take());
  }

  #append(value: unknown): number {
    const line = Buffer.from(`${JSON.stringify(value)}\n`, 'utf8');
    this.#chunks.push(line);
    this.#buffered += line.byteLength;
    return line.byteLength;
  }

  #take(): Buffer {
    const body = Buffer.concat(this.#chunks);
    this.#chunks = [];
    this.#buffered = 0;
    return body;
  }

  async #uploadPart(body: Buffer): Promise<void> {
    const partNumber = this.#parts.length + 1;
    const uploaded = await this.#s3.send(
      new UploadPartCommand({
        Bucket: this.#bucket,
        Key: this.#key,
        UploadId: this.#uploadId,
        PartNumber: partNumber,
        Body: body,
      }),
    );
    this.#parts.push({ PartNumber: partNumber, ETag: uploaded.ETag });
  }
}
