import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import type { IngestSummary, RejectEntry } from '../../functions/ingest/rejects-report';
import { reportKeyFor } from '../../functions/ingest/rejects-report';

export interface RejectsReportView {
  readonly key: string;
  readonly rejects: readonly RejectEntry[];
  /** Present once ingest finished the file: the summary is always the report's last line. */
  readonly summary?: IngestSummary;
}

/** The rejects report ingest writes for a source key, or undefined while there is none. */
export const readRejectsReport = async (
  s3: S3Client,
  bucket: string,
  sourceKey: string,
): Promise<RejectsReportView | undefined> => {
  const key = reportKeyFor(sourceKey);
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const text = (await object.Body?.transformToString('utf8')) ?? '';
    const lines = text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as RejectEntry | { summary: IngestSummary });
    const rejects = lines.filter((line): line is RejectEntry => !('summary' in line));
    const last = lines.at(-1);
    return { key, rejects, ...(last && 'summary' in last ? { summary: last.summary } : {}) };
  } catch (error) {
    if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
};
