import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeDynamoDbClient, makeS3Client, makeSqsClient } from '#shared/aws/clients';
import type { handler as IngestHandler } from '../../functions/ingest/handler';
import { HOSTILE_CASES, type HostileCase } from '../fixtures/hostile/cases';
import { drainQueue } from '../helpers/aws-resources';
import { setUpIngest } from '../helpers/ingest-env';
import { lambdaContext } from '../helpers/lambda-context';
import { s3Event } from '../helpers/s3-event';
import { putObject, readObjectText } from '../helpers/s3-objects';

const s3 = makeS3Client();
const sqs = makeSqsClient();
const dynamodb = makeDynamoDbClient();

let bucket: string;
let queueUrl: string;
let handler: typeof IngestHandler;

interface ReportLine {
  readonly line?: number;
  readonly reasons?: string[];
  readonly remainder?: boolean;
  readonly summary?: { recordsRead: number; accepted: number; rejected: number; complete: boolean };
}

const FILES = join(__dirname, '../fixtures/hostile/files');
const bodyOf = (hostile: HostileCase): Buffer =>
  hostile.generate?.() ?? readFileSync(join(FILES, hostile.name));

/**
 * The bomb expands to 4 GiB; the handler stops at its limit. 1 GiB (the default) costs 3-25 s of
 * gunzip on a loaded 2-core machine, so the corpus runs the same code with a 64 MiB limit.
 */
const DECOMPRESSED_LIMIT = 64 * 1024 * 1024;

beforeAll(async () => {
  process.env.INGEST_MAX_DECOMPRESSED_BYTES = String(DECOMPRESSED_LIMIT);
  ({ bucket, queueUrl, handler } = await setUpIngest(s3, sqs, dynamodb));
});

afterAll(() => {
  delete process.env.INGEST_MAX_DECOMPRESSED_BYTES;
  // No record may have reached Object.prototype through a __proto__ or constructor key.
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

describe('the hostile-input corpus (test/fixtures/hostile)', () => {
  it.each(HOSTILE_CASES.map((hostile) => [hostile.name, hostile] as const))(
    '%s: every record accepted or rejected with its reason',
    async (_name, hostile) => {
      // Arrange
      const key = hostile.key ?? `incoming/hostile/${hostile.name}`;
      const body = bodyOf(hostile);
      await putObject(s3, bucket, key, body);

      // Act
      const [outcome] = await handler(s3Event({ bucket, key, size: body.byteLength }), lambdaContext());

      // Assert
      const expected = hostile.expect;
      if ('skipped' in expected) {
        expect(outcome).toMatchObject({ sourceKey: key, skipped: expect.stringContaining(expected.skipped) });
        expect(await drainQueue(sqs, queueUrl, 0, { quietMs: 100 })).toEqual([]);
        return;
      }
      if (outcome === undefined || 'skipped' in outcome) throw new Error(`${key} was not ingested`);
      expect(outcome).toMatchObject({
        recordsRead: expected.recordsRead,
        accepted: expected.accepted.length,
        rejected: expected.rejected.length,
        duplicate: false,
      });
      expect(outcome.accepted + outcome.rejected).toBe(outcome.recordsRead);
      expect(Buffer.byteLength(outcome.reportKey)).toBeLessThanOrEqual(1024);

      const report = (await readObjectText(s3, bucket, outcome.reportKey))
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as ReportLine);
      expect(report.at(-1)?.summary).toMatchObject({
        recordsRead: expected.recordsRead,
        accepted: expected.accepted.length,
        rejected: expected.rejected.length,
        complete: !expected.rejected.some((reject) => reject.remainder),
      });
      const entries = report.slice(0, -1);
      expect(entries.map((entry) => entry.line)).toEqual(expected.rejected.map((reject) => reject.line));
      for (const [index, reject] of expected.rejected.entries()) {
        const entry = entries[index];
        expect(entry?.reasons?.join(' | ')).toContain(reject.reason);
        expect(entry?.remainder ?? false).toBe(reject.remainder ?? false);
      }

      const messages = await drainQueue(sqs, queueUrl, expected.accepted.length, { quietMs: 100 });
      const prefix = `${bucket}/${key}#`;
      const lines = messages.map((message) => {
        const correlationId = message.MessageAttributes?.correlationId?.StringValue ?? '';
        expect(correlationId.startsWith(prefix)).toBe(true);
        return Number(correlationId.slice(prefix.length));
      });
      expect(lines.sort((a, b) => a - b)).toEqual(expected.accepted);
    },
  );
});
