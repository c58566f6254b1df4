import type { Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { contentHash, validateOrder } from '#shared/schemas/order-placed';
import { decodeUtf8 } from './decode';
import { OrderSender, type SenderConfig, type SenderHooks } from './enqueue';
import { detectFormat, type RecordFormat } from './formats';
import { gunzip } from './gunzip';
import type { ObjectRef } from './object-ref';
import { parseCsv } from './parsers/csv';
import { parseJsonArray } from './parsers/json-array';
import { parseJsonLines } from './parsers/jsonl';
import { type Cursor, type SourceRecord, UnreadableInput } from './parsers/types';
import { type IngestSummary, type RejectEntry, RejectsReport, reportKeyFor } from './rejects-report';
import { sniffContent } from './sniff';

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
}

export interface IngestDeps {
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly config: IngestConfig;
  /** For tests: deterministic retry delays. */
  readonly senderHooks?: Pick<SenderHooks, 'sleep' | 'random'>;
}

const recordsOf = (
  format: RecordFormat,
  bytes: AsyncIterable<Uint8Array>,
  cursor: Cursor,
): AsyncIterable<SourceRecord> => {
  switch (format) {
    case 'jsonl':
      return parseJsonLines(bytes, cursor);
    case 'json':
      return parseJsonArray(decodeUtf8(bytes), cursor);
    case 'csv':
      return parseCsv(decodeUtf8(bytes), cursor);
  }
};

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

const missingObjectError = (error: unknown): string | undefined => {
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  return name === 'NoSuchKey' || name === 'NoSuchVersion' ? name : undefined;
};

/**
 * Ingests one S3 object version: streams it through the format's parser, validates every
 * record, sends the valid ones to the FIFO queue and writes the rejects report, always, ending
 * in a summary line. Every record read ends up accepted (confirmed by SQS) or rejected (in the
 * report); the function checks that before it returns. Errors that a retry can cure (S3 or SQS
 * unavailable) are thrown, so the invocation fails, nothing is marked done and it runs again.
 */
export const ingestObject = async (
  ref: ObjectRef,
  deps: IngestDeps,
  invocation: IngestInvocation = {},
): Promise<IngestSummary> => {
  const report = new RejectsReport(deps.s3, ref.bucket, reportKeyFor(ref.key), deps.config.reportPartBytes);
  const tally = { recordsRead: 0, accepted: 0, rejected: 0, bytesRead: 0 };
  let complete = true;
  const detection = detectFormat(ref.key);

  const reject = async (entry: RejectEntry): Promise<void> => {
    tally.rejected += 1;
    await report.add(entry);
  };
  const rejectRemainder = async (line: number, reason: string): Promise<void> => {
    tally.recordsRead += 1;
    complete = false;
    await reject({ line, reasons: [reason], remainder: true });
  };

  if (!detection.ok) {
    await rejectRemainder(0, `the whole file is rejected: ${detection.reason}`);
  } else {
    await ingestRecords(ref, deps, invocation, detection.format, detection.gzip, {
      tally,
      reject,
      rejectRemainder,
      report,
    });
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
    format: detection.ok ? `${detection.format}${detection.gzip ? '.gz' : ''}` : null,
    complete,
    reportKey: report.key,
  };
  await report.finish(summary);
  return summary;
};

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
): Promise<void> => {
  const { tally, reject, rejectRemainder, report } = run;
  let body: Readable;
  try {
    const object = await deps.s3.send(
      new GetObjectCommand({
        Bucket: ref.bucket,
        Key: ref.key,
        ...(ref.versionId ? { VersionId: ref.versionId } : {}),
      }),
    );
    // In Node the SDK returns the HTTP response stream; duck-typed so no realm or wrapper can defeat it.
    if (!isReadable(object.Body)) throw new Error(`GetObject for ${ref.key} returned no readable body`);
    body = object.Body;
  } catch (error) {
    const missing = missingObjectError(error);
    if (missing === undefined) throw error;
    await rejectRemainder(0, `the whole file is rejected: the object no longer exists (${missing})`);
    return;
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
  try {
    try {
      const plain = gzip ? gunzip(bytes, deps.config.maxDecompressedBytes) : bytes;
      for await (const record of recordsOf(format, sniffContent(plain, format), cursor)) {
        tally.recordsRead += 1;
        await handleRecord(ref, record, sender, reject);
        await reportFailures();
      }
    } catch (error) {
      if (!(error instanceof UnreadableInput)) throw error;
      const unit = format === 'json' ? 'element' : 'line';
      await rejectRemainder(
        cursor.line,
        `the rest of the file from ${unit} ${cursor.line} on is unreadable: ${error.message}`,
      );
    }
    await sender.flush();
    await reportFailures();
  } catch (error) {
    await sender.settle();
    await report.abort();
    throw error;
  } finally {
    body.destroy();
  }
};

const handleRecord = async (
  ref: ObjectRef,
  record: SourceRecord,
  sender: OrderSender,
  reject: (entry: RejectEntry) => Promise<void>,
): Promise<void> => {
  const lines = record.lines && record.lines.length > 1 ? { lines: record.lines } : {};
  if (record.kind === 'invalid') {
    const orderId = record.orderId === undefined ? {} : { orderId: record.orderId };
    await reject({ line: record.line, ...orderId, ...lines, reasons: record.reasons });
    return;
  }
  const result = validateOrder(record.value);
  if (!result.ok) {
    const orderId = result.orderId === undefined ? {} : { orderId: result.orderId };
    await reject({ line: record.line, ...orderId, ...lines, reasons: result.reasons });
    return;
  }
  await sender.add({
    line: record.line,
    orderId: result.order.orderId,
    canonical: result.canonical,
    deduplicationId: contentHash(result.canonical),
    correlationId: `${ref.bucket}/${ref.key}#${record.line}`,
  });
};
