import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { clientsAtLoad, utilitiesAtLoad } from '../../../bench/bundles';
import { bundleFunction } from '../../../lib/bundling/bundle';
import { PROJECT_ROOT } from '../../../lib/project-root';

/**
 * The bundles benchmark measures each function over a bundle of only the SDK clients it builds at load
 * (`clientsAtLoad`, a hand-kept list), and over one of those clients with the document client and
 * Powertools utilities it builds at load (`utilitiesAtLoad`): each list must name exactly what the
 * function's index.js holds. (A utility bundled but built only on first use would pass unnoticed.)
 */

const CLIENTS = {
  DynamoDB: 'client-dynamodb',
  S3: 'client-s3',
  SQS: 'client-sqs',
  SFN: 'client-sfn',
  SNS: 'client-sns',
};

// Bundled with keepNames, each utility's classes keep their names as strings.
const UTILITIES = {
  DocumentClient: ['"DynamoDBDocumentClient"'],
  Logger: ['"Logger"'],
  Metrics: ['"Metrics"'],
  Idempotency: ['"IdempotencyConfig"', '"DynamoDBPersistenceLayer"'],
  Batch: ['"BatchProcessor"'],
};

const handlers = (): string[] => {
  const functions = path.join(PROJECT_ROOT, 'functions');
  const under = (dir: string) =>
    readdirSync(path.join(functions, dir), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `functions/${dir}/${entry.name}/handler.ts`);
  return ['functions/ingest/handler.ts', 'functions/process-order/handler.ts', ...under('saga')].filter(
    (entry) => readdirSync(path.join(PROJECT_ROOT, path.dirname(entry))).includes('handler.ts'),
  );
};

describe('clientsAtLoad and utilitiesAtLoad (bench/bundles.ts)', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), 'orderflow-clients-at-load-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("names exactly the SDK clients and utilities each function's index.js holds", async () => {
    const entries = handlers();
    expect(entries.length).toBeGreaterThan(10);
    for (const entry of entries) {
      const outdir = path.join(work, entry.replace(/[/.]/g, '-'));
      await bundleFunction({ entry, outdir });
      const bundle = readFileSync(path.join(outdir, 'index.js'), 'utf8');
      // A bundled client carries its package.json, name included.
      const inBundle = Object.entries(CLIENTS)
        .filter(([, pkg]) => bundle.includes(`"@aws-sdk/${pkg}"`))
        .map(([client]) => client);
      const utilitiesInBundle = Object.entries(UTILITIES)
        .filter(([, names]) => names.every((name) => bundle.includes(name)))
        .map(([utility]) => utility);
      expect({
        entry,
        clients: [...clientsAtLoad(entry)].sort(),
        utilities: [...utilitiesAtLoad(entry)].sort(),
      }).toEqual({ entry, clients: inBundle.sort(), utilities: utilitiesInBundle.sort() });
    }
  }, 180_000);
});
