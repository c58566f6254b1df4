import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { contentHash, validateOrder } from '#shared/schemas/order-placed';
import type { Checkpoint, CheckpointStore, ReportSegment } from './checkpoint';
import { decodeUtf8 } from './decode';
import { OrderSender, type SenderConfig, type SenderHooks } from './enqueue';
import { detectFormat, type RecordFormat } from './formats';
import { gunzip } from './gunzip';
import type { ObjectRef } from './object-ref';
import { parseCsv } from './parsers/csv';
import { parseJsonArray } from './parsers/json-array';
import { type JsonLinesRecord, parseJsonLineBatches } from './parsers/jsonl';
import { type Cursor, type ResumePoint, type SourceRecord, UnreadableInput } from './parsers/types';
import {
  type IngestSummary,
  type RejectEntry,
  RejectsReport,
  reportKeyFor,
  segmentKeyFor,
} from './rejects-report';
import { type SniffInfo, sniffContent } from './sniff';

export interface IngestConfig extends SenderConfig {
  /** Part size of a large rejects report's multipart upload. @default 5 MiB */
  readonly reportPartBytes?: number;
  /** The most a .gz file may decompress to; the rest is rejected. @default 1 GiB */
  readonly maxDecompressedBytes?: number;
}

/** What one invocation gives the ingest of one object. */
export interface IngestInvocation {
  /** Time left to retry what SQS did not confirm, in ms (see SenderConfig.timeLeftMs). @default no limit */
  readonly timeLeftMs?: () => number;
  /**
   * Asked after each record: true when the invocation must hand the rest of the file to a
   * continuation now. Only consulted when IngestDeps.continuation is set. @default never
   */
  readonly pauseNow?: () => boolean;
}

/** How a file continues in a fresh invocation: see README "What continues, and how". */
export interface ContinuationDeps {
  readonly checkpoints: CheckpointStore;
  /** Makes a fresh invocation continue the file from `checkpoint` (a message on the continuation queue). */
  readonly continueLater: (ref: ObjectRef, checkpoint: Checkpoint) => Promise<void>;
}

export interface IngestDeps {
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly config: IngestConfig;
  /** Without it a file is read from start to end in one invocation. @default none */
  readonly continuation?: ContinuationDeps;
  /** For tests: deterministic retry delays. */
  readonly senderHooks?: Pick<SenderHooks, 'sleep' | 'random'>;
}

/** JSON Lines records come a chunk at a time (see parseJsonLineBatches); the other formats one by one. */
const recordsOf = (
  format: RecordFormat,
  bytes: AsyncIterable<Uint8Array>,
  cursor: Cursor,
  firstLine = 1,
): AsyncIterable<SourceRecord | readonly JsonLinesRecord[]> => {
  switch (format) {
    case 'jsonl':
      return parseJsonLineBatches(bytes, cursor, undefined, firstLine, { orders: true });
    case 'json':
      return parseJsonArray(decodeUtf8(bytes), cursor);
    case 'csv':
      return parseCsv(decodeUtf8(bytes), cursor);
  }
};

const isBatch = (item: SourceRecord | readonly JsonLinesRecord[]): item is readonly JsonLinesRecord[] =>
  Array.isArray(item);

async function* counted(body: Readable, tally: { bytesRead: number }): AsyncGenerator<Uint8Array> {
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    tally.bytesRead += chunk.byteLength;
    yield chunk;
  }
}

const isReadable = (body: unknown): body is Readable =>
  typeof body === 'object' &&
  body !== null &&
  Symbol.asyncIterator in body &&
  typeof (body as { destroy?: unknown }).destroy === 'function';

const httpStatusOf = (error: unknown): unknown =>
  typeof error === 'object' && error !== null
    ? (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode
    : undefined;

const missingObjectError = (error: unknown): string | undefined => {
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  // IfMatch on a replaced object: 412, whatever name the SDK gives the error.
  if (httpStatusOf(error) === 412) return 'PreconditionFailed';
  return name === 'NoSuchKey' || name === 'NoSuchVersion' || name === 'PreconditionFailed' ? name : undefined;
};

/**
 * Ingests one S3 object version: streams it through the format's parser, validates every
 * record, sends the valid ones to the FIFO queue and writes the rejects report, always, ending
 * in a summary line. Every record read ends up accepted (confirmed by SQS) or rejected (in the
 * report); the function checks that before it returns. Errors that a retry can cure (S3 or SQS
 * unavailable) are thrown, so the invocation fails, nothing is marked done and it runs again.
 *
 * With `deps.continuation`, a file may take several invocations: each resumes from the object's
 * checkpoint (if any), and one that is told to pause stops reading, lets every SendMessageBatch
 * call settle, writes its part of the report, saves the next checkpoint conditionally and sends a
 * continuation. The invocation that reaches the end assembles the report from the parts.
 */
export const ingestObject = async (
  ref: ObjectRef,
  deps: IngestDeps,
  invocation: IngestInvocation = {},
): Promise<IngestSummary> => {
  const continuation = deps.continuation;
  const resumeFrom = continuation ? await continuation.checkpoints.load(ref) : undefined;
  const finalKey = reportKeyFor(ref.key);
  const detection = detectFormat(ref.key);
  const format = detection.ok ? `${detection.format}${detection.gzip ? '.gz' : ''}` : null;
  if (resumeFrom?.done) {
    return {
      recordsRead: resumeFrom.recordsRead,
      accepted: resumeFrom.accepted,
      rejected: resumeFrom.rejected,
      bytesRead: 0,
      sourceBucket: ref.bucket,
      sourceKey: ref.key,
      versionId: ref.versionId ?? null,
      format,
      complete: resumeFrom.complete,
      reportKey: finalKey,
      continuation: { checkpoint: resumeFrom.seq, by: 'already-finished' },
    };
  }
  // The first invocation writes the report where it belongs; a continuation writes a part of its own.
  const report = new RejectsReport(
    deps.s3,
    ref.bucket,
    resumeFrom ? segmentKeyFor(ref, resumeFrom.seq + 1) : finalKey,
    deps.config.reportPartBytes,
  );
  const tally = {
    recordsRead: 0,
    accepted: resumeFrom?.accepted ?? 0,
    rejected: resumeFrom?.rejected ?? 0,
    bytesRead: 0,
  };
  let complete = true;

  const reject = async (entry: RejectEntry): Promise<void> => {
    tally.rejected += 1;
    await report.add(entry);
  };
  const rejectRemainder = async (line: number, reason: string): Promise<void> => {
    tally.recordsRead += 1;
    complete = false;
    await reject({ line, reasons: [reason], remainder: true });
  };

  let read: ReadOutcome = { paused: false, etag: resumeFrom?.etag };
  if (!detection.ok) {
    await rejectRemainder(0, `the whole file is rejected: ${detection.reason}`);
  } else {
    read = await ingestRecords(
      ref,
      deps,
      invocation,
      detection.format,
      detection.gzip,
      { tally, reject, rejectRemainder, report },
      resumeFrom,
    );
  }

  if (tally.accepted + tally.rejected !== tally.recordsRead) {
    // A record neither sent nor reported would disappear silently: fail loudly instead.
    await report.abort();
    throw new Error(
      `ingest lost track of records in ${ref.key}: read ${tally.recordsRead}, accepted ${tally.accepted}, rejected ${tally.rejected}`,
    );
  }
  const summary: IngestSummary = {
    recordsRead: tally.recordsRead,
    accepted: tally.accepted,
    rejected: tally.rejected,
    bytesRead: tally.bytesRead,
    sourceBucket: ref.bucket,
    sourceKey: ref.key,
    versionId: ref.versionId ?? null,
    format,
    complete,
    reportKey: finalKey,
  };
  if (continuation === undefined || (resumeFrom === undefined && !read.paused)) {
    // The whole file in one invocation: the report is written as it always was.
    await report.finish(summary);
    return summary;
  }

  const segmentBytes = await report.finishSegment();
  const segments: ReportSegment[] = [
    ...(resumeFrom?.segments ?? []),
    ...(segmentBytes > 0 ? [{ key: report.key, bytes: segmentBytes }] : []),
  ];
  const expectedSeq = resumeFrom?.seq ?? 0;
  const next: Checkpoint = {
    seq: expectedSeq + 1,
    etag: read.etag ?? '',
    recordsRead: tally.recordsRead,
    accepted: tally.accepted,
    rejected: tally.rejected,
    ...(read.paused && read.resumeAt ? { resumeAt: read.resumeAt } : {}),
    segments,
    done: !read.paused,
    complete,
  };
  if (!read.paused) await assembleReport(deps.s3, ref.bucket, finalKey, segments, summary);
  if (!(await continuation.checkpoints.advance(ref, expectedSeq, next))) {
    // Another invocation resumed from the same checkpoint and saved first: its work stands, not this one's.
    if (segmentBytes > 0 && report.key !== finalKey) await deleteQuietly(deps.s3, ref.bucket, report.key);
    return { ...summary, continuation: { checkpoint: expectedSeq, by: 'another-invocation' } };
  }
  if (read.paused) {
    await continuation.continueLater(ref, next);
    return { ...summary, continuation: { checkpoint: next.seq, by: 'message' } };
  }
  for (const segment of segments) {
    if (segment.key !== finalKey) await deleteQuietly(deps.s3, ref.bucket, segment.key);
  }
  return summary;
};

/** Best effort: a part left behind is only clutter under rejected/.continued/, never part of a report. */
const deleteQuietly = async (s3: S3Client, bucket: string, key: string): Promise<void> => {
  try {
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  } catch {
    // Nothing depends on it.
  }
};

/**
 * Writes the report of a continued file: every part in file order, then the summary. A part is
 * read by its recorded length only (the first part is the report object itself, which a racing
 * invocation may already have replaced by a longer report starting with the same lines).
 */
const assembleReport = async (
  s3: S3Client,
  bucket: string,
  finalKey: string,
  segments: readonly ReportSegment[],
  summary: IngestSummary,
): Promise<void> => {
  const report = new RejectsReport(s3, bucket, finalKey);
  try {
    for (const segment of segments) {
      const object = await s3.send(
        new GetObjectCommand({ Bucket: bucket, Key: segment.key, Range: `bytes=0-${segment.bytes - 1}` }),
      );
      if (!isReadable(object.Body)) throw new Error(`GetObject for ${segment.key} returned no readable body`);
      let bytes = 0;
      for await (const chunk of object.Body as AsyncIterable<Uint8Array>) {
        bytes += chunk.byteLength;
        await report.addLines(chunk);
      }
      if (bytes !== segment.bytes) {
        throw new Error(`report part ${segment.key} holds ${bytes} bytes, ${segment.bytes} were written`);
      }
    }
    await report.finish(summary);
  } catch (error) {
    await report.abort();
    throw error;
  }
};

interface ReadOutcome {
  /** The invocation stopped before the end of the file, every record read settled. */
  readonly paused: boolean;
  /** The ETag of the object version read, to pin a continuation to it. */
  readonly etag: string | undefined;
  /** Where a ranged read can continue the file (see Checkpoint.resumeAt). */
  readonly resumeAt?: { readonly byte: number; readonly line: number };
}

interface Run {
  readonly tally: { recordsRead: number; accepted: number; rejected: number; bytesRead: number };
  readonly reject: (entry: RejectEntry) => Promise<void>;
  readonly rejectRemainder: (line: number, reason: string) => Promise<void>;
  readonly report: RejectsReport;
}

const ingestRecords = async (
  ref: ObjectRef,
  deps: IngestDeps,
  invocation: IngestInvocation,
  format: RecordFormat,
  gzip: boolean,
  run: Run,
  resumeFrom: Checkpoint | undefined,
): Promise<ReadOutcome> => {
  const { tally, reject, rejectRemainder, report } = run;
  // A plain JSON Lines file continues where it stopped; any other stream parses the records done again.
  const offset = format === 'jsonl' && !gzip ? resumeFrom?.resumeAt : undefined;
  const skip = offset === undefined ? (resumeFrom?.recordsRead ?? 0) : 0;
  if (offset !== undefined && resumeFrom !== undefined) {
    tally.recordsRead = resumeFrom.recordsRead;
    tally.bytesRead = offset.byte;
  }
  let body: Readable;
  let etag = resumeFrom?.etag;
  try {
    const object = await deps.s3.send(
      new GetObjectCommand({
        Bucket: ref.bucket,
        Key: ref.key,
        ...(ref.versionId ? { VersionId: ref.versionId } : {}),
        // A continuation reads the content the file started with, never a re-upload of the key.
        ...(resumeFrom?.etag ? { IfMatch: resumeFrom.etag } : {}),
        ...(offset === undefined ? {} : { Range: `bytes=${offset.byte}-` }),
      }),
    );
    // In Node the SDK returns the HTTP response stream; duck-typed so no realm or wrapper can defeat it.
    if (!isReadable(object.Body)) throw new Error(`GetObject for ${ref.key} returned no readable body`);
    body = object.Body;
    etag ??= object.ETag;
  } catch (error) {
    if (offset !== undefined && httpStatusOf(error) === 416) {
      // The records done end exactly at the end of the file: nothing is left to read.
      return { paused: false, etag };
    }
    const missing = missingObjectError(error);
    if (missing === undefined) throw error;
    if (resumeFrom === undefined) {
      await rejectRemainder(0, `the whole file is rejected: the object no longer exists (${missing})`);
    } else {
      tally.recordsRead = resumeFrom.recordsRead;
      await rejectRemainder(
        0,
        `the rest of the file after record ${skip} is rejected: the object version being ingested ` +
          `${missing === 'PreconditionFailed' ? 'was replaced by a new upload (which is ingested on its own)' : `no longer exists (${missing})`}`,
      );
    }
    return { paused: false, etag };
  }

  // Sender faults arrive from calls in flight; they wait here (at most maxInFlight × 10) to be reported.
  const failed: RejectEntry[] = [];
  const senderConfig = invocation.timeLeftMs
    ? { ...deps.config, timeLeftMs: invocation.timeLeftMs }
    : deps.config;
  const sender = new OrderSender(deps.sqs, senderConfig, {
    ...deps.senderHooks,
    onEnqueued: () => {
      tally.accepted += 1;
    },
    onFailed: (order, reason) => {
      failed.push({ line: order.line, orderId: order.orderId, reasons: [reason] });
    },
  });
  const reportFailures = async (): Promise<void> => {
    for (let entry = failed.shift(); entry !== undefined; entry = failed.shift()) await reject(entry);
  };

  const cursor: Cursor = { line: 1 };
  const bytes = counted(body, tally);
  const pauseNow = deps.continuation ? (invocation.pauseNow ?? (() => false)) : () => false;
  let paused = false;
  const sniffInfo: SniffInfo = { skippedBytes: 0, transcoded: false };
  try {
    try {
      const plain = gzip ? gunzip(bytes, deps.config.maxDecompressedBytes) : bytes;
      // Mid-file there is no byte order mark or file signature to look at.
      const text = offset === undefined ? sniffContent(plain, format, sniffInfo) : plain;
      // A gzip stream cannot seek: a continuation parses the records done again and skips them.
      reading: for await (const item of recordsOf(format, text, cursor, offset?.line)) {
        const batch: readonly { readonly record: SourceRecord; readonly resume?: ResumePoint }[] = isBatch(
          item,
        )
          ? item
          : [{ record: item }];
        for (const { record, resume } of batch) {
          tally.recordsRead += 1;
          if (resume !== undefined) cursor.resume = resume;
          if (tally.recordsRead <= skip) continue;
          // Most records only join a batch: no promise to wait for, so no turn of the event loop.
          const handling = handleRecord(ref, record, sender, reject);
          if (handling !== undefined) await handling;
          if (failed.length > 0) await reportFailures();
          // After a record, never before: every invocation moves the file on by one record at least.
          if (pauseNow()) {
            paused = true;
            break reading;
          }
        }
      }
    } catch (error) {
      if (!(error instanceof UnreadableInput)) throw error;
      const unit = format === 'json' ? 'element' : 'line';
      await rejectRemainder(
        cursor.line,
        `the rest of the file from ${unit} ${cursor.line} on is unreadable: ${error.message}`,
      );
    }
    if (tally.recordsRead < skip) {
      throw new Error(
        `${ref.key} holds ${tally.recordsRead} records, fewer than the ${skip} its checkpoint says were done`,
      );
    }
    // The low-water mark: every call in flight settles, so all records read are accepted or rejected.
    await sender.flush();
    await reportFailures();
  } catch (error) {
    await sender.settle();
    await report.abort();
    throw error;
  } finally {
    body.destroy();
  }
  const resumeAt =
    format === 'jsonl' && !gzip && !sniffInfo.transcoded && cursor.resume !== undefined
      ? {
          byte: (offset?.byte ?? sniffInfo.skippedBytes) + cursor.resume.byte,
          line: cursor.resume.line,
        }
      : undefined;
  return { paused, etag, ...(resumeAt ? { resumeAt } : {}) };
};

/** Rejects or queues one record; a promise only when the caller must wait for it. */
const handleRecord = (
  ref: ObjectRef,
  record: SourceRecord,
  sender: OrderSender,
  reject: (entry: RejectEntry) => Promise<void>,
): Promise<void> | undefined => {
  if (record.kind === 'invalid') {
    const orderId = record.orderId === undefined ? {} : { orderId: record.orderId };
    return reject({ line: record.line, ...orderId, ...linesOf(record), reasons: record.reasons });
  }
  // Judged already, by the JSON Lines order lane: what validateOrder gives for it.
  if (record.kind === 'order') return send(ref, sender, record.line, record.orderId, record.canonical);
  const result = validateOrder(record.value);
  if (!result.ok) {
    const orderId = result.orderId === undefined ? {} : { orderId: result.orderId };
    return reject({ line: record.line, ...orderId, ...linesOf(record), reasons: result.reasons });
  }
  return send(ref, sender, record.line, result.order.orderId, result.canonical);
};

const send = (
  ref: ObjectRef,
  sender: OrderSender,
  line: number,
  orderId: string,
  canonical: string,
): Promise<void> | undefined =>
  sender.add({
    line,
    orderId,
    canonical,
    deduplicationId: contentHash(canonical),
    correlationId: `${ref.bucket}/${ref.key}#${line}`,
  });

const linesOf = (record: { readonly lines?: number[] }): { lines?: number[] } =>
  record.lines && record.lines.length > 1 ? { lines: record.lines } : {};
