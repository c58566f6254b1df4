import type { S3Client } from '@aws-sdk/client-s3';
import { EXIT } from '../shared/errors';
import { readRejectsReport } from '../shared/rejects';

/** `upload --wait`: follows the file through ingest until its rejects report has its summary. */
export const waitForIngest = async (
  s3: S3Client,
  bucket: string,
  key: string,
  options: { readonly timeoutSeconds: number; readonly pollMs?: number },
  out: NodeJS.WritableStream,
): Promise<number> => {
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  for (;;) {
    const report = await readRejectsReport(s3, bucket, key);
    if (report?.summary) {
      const s = report.summary;
      out.write(
        `Ingested ${key}: ${s.recordsRead} record(s) read, ${s.accepted} accepted, ${s.rejected} rejected (report s3://${bucket}/${report.key})\n`,
      );
      for (const entry of report.rejects.slice(0, 20)) {
        out.write(
          `  line ${entry.line}${entry.orderId ? ` ${entry.orderId}` : ''}: ${entry.reasons.join('; ')}\n`,
        );
      }
      if (report.rejects.length > 20) out.write(`  … ${report.rejects.length - 20} more in the report\n`);
      return EXIT.ok;
    }
    if (Date.now() >= deadline) {
      out.write(
        `${key}: ingest has not finished after ${options.timeoutSeconds} s (no summary in its rejects report yet); look again with --wait, or at the ingest failures queue\n`,
      );
      return EXIT.badState;
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }
};
