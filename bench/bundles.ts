/**
 * What each function ships and how long its module takes to load: the app is synthesized with bundling
 * exactly as `cdk synth` does it, each asset directory is measured as the deployment zip the CDK CLI
 * uploads (deflate, level 6, as its zip library), and each `index.js` is required in fresh Node.js
 * processes with the function's environment. The yardstick is a bundle that holds only the DynamoDB
 * client, built with the same esbuild options; the processes of all bundles are interleaved round by
 * round, so machine noise falls on all of them alike. Each function is measured twice: as deployed by
 * default, and built and run with Powertools' Tracer (`-c traceSdkCalls=true`). Each is also measured
 * against two floors: a bundle that builds the SDK clients the function builds at load, and nothing else;
 * and one that also builds the document client and Powertools utilities it builds at load (its toolkit).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { deflateRawSync } from 'node:zlib';
import { bundleFunction } from '../lib/bundling/bundle';
import { sandboxEnvironment } from '../local/lambda/environment';
import { deriveTopology, synthesizeApp } from '../local/topology';

export interface BundleResult {
  readonly function: string;
  readonly entry: string;
  /** The deployment zip, as uploaded: every file of the asset directory, deflated. */
  readonly zipKB: number;
  readonly indexJsKB: number;
  readonly sourceMap: boolean;
  /** Median milliseconds of `require('./index.js')` in a fresh process (module initialisation only). */
  readonly initMsMedian: number;
  /** initMsMedian over the DynamoDB-only bundle's, measured in the same rounds. */
  readonly initRatio: number;
  /** The SDK clients the function builds at load, and the median of a bundle that builds only those. */
  readonly clientsAtLoad: readonly SdkClient[];
  readonly floorInitMsMedian: number;
  /** initMsMedian over the floor's: what the function adds to the clients it cannot do without. */
  readonly initOverFloor: number;
  /**
   * The utilities the function builds at load (document client, Powertools), and the median of a bundle
   * that builds only those and its SDK clients: the toolkit it is built on, before any orderflow code.
   */
  readonly utilitiesAtLoad: readonly Utility[];
  readonly toolkitFloorInitMsMedian: number;
  /** initMsMedian over the toolkit floor's: what orderflow's own code and the SDK operations it calls add. */
  readonly initOverToolkitFloor: number;
  /** The function built and run with Powertools' Tracer (stage option traceSdkCalls=true). */
  readonly tracedInitMsMedian: number;
  readonly tracedInitRatio: number;
}

export interface BundlesReport {
  readonly rounds: number;
  readonly baseline: { readonly zipKB: number; readonly initMsMedian: number };
  readonly functions: readonly BundleResult[];
  readonly largestZipKB: number;
  readonly largestInitRatio: number;
}

const KB = 1000;
const round = (value: number, digits = 1): number => Number(value.toFixed(digits));
const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

const filesUnder = (directory: string): string[] =>
  readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });

/** Bytes of a zip of the directory: local header, deflated data and central directory entry per file. */
export const zipBytes = (directory: string): number =>
  filesUnder(directory).reduce((sum, file) => {
    const name = Buffer.byteLength(path.relative(directory, file));
    const data = deflateRawSync(readFileSync(file), { level: 6 }).byteLength;
    return sum + 30 + name + data + 46 + name;
  }, 22);

const LOAD = [
  'const started = process.hrtime.bigint();',
  'require(process.argv[1]);',
  'process.stdout.write(String(Number(process.hrtime.bigint() - started) / 1e6));',
].join('');

const loadMs = async (indexJs: string, env: Record<string, string>): Promise<number> => {
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', LOAD, indexJs], {
    cwd: path.dirname(indexJs),
    env,
  });
  return Number(stdout);
};

type SdkClient = 'DynamoDB' | 'S3' | 'SQS' | 'SFN' | 'SNS';

const CLIENT_PACKAGES: Record<SdkClient, string> = {
  DynamoDB: 'client-dynamodb',
  S3: 'client-s3',
  SQS: 'client-sqs',
  SFN: 'client-sfn',
  SNS: 'client-sns',
};

/**
 * The SDK clients each function builds when its module loads (functions/<entry>; process-order builds
 * its DLQ's SQS client on first use). Every function uses each of them in every invocation.
 */
export const clientsAtLoad = (entry: string): readonly SdkClient[] => {
  if (entry.startsWith('functions/ingest/')) return ['DynamoDB', 'S3', 'SQS'];
  if (entry.startsWith('functions/process-order/')) return ['DynamoDB', 'SFN'];
  if (entry.startsWith('functions/saga/confirm-order/')) return ['DynamoDB', 'SNS'];
  return ['DynamoDB'];
};

/** What a function builds at load besides its SDK clients: the document client and Powertools. */
type Utility = 'DocumentClient' | 'Logger' | 'Metrics' | 'Idempotency' | 'Batch';

/**
 * The utilities each function builds when its module loads: every function a DynamoDB document client
 * (ingest's checkpoints, as the stack configures it) and Powertools' Logger and Metrics
 * (functions/shared/powertools); ingest and process-order an idempotent function on DynamoDB;
 * process-order its batch processor (SqsFifoGroupParallelProcessor, a Powertools BatchProcessor).
 */
export const utilitiesAtLoad = (entry: string): readonly Utility[] => {
  const everyFunction: readonly Utility[] = ['DocumentClient', 'Logger', 'Metrics'];
  if (entry.startsWith('functions/ingest/')) return [...everyFunction, 'Idempotency'];
  if (entry.startsWith('functions/process-order/')) return [...everyFunction, 'Idempotency', 'Batch'];
  return everyFunction;
};

const UTILITY_IMPORTS: Record<Utility, readonly string[]> = {
  DocumentClient: ["import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';"],
  Logger: ["import { Logger } from '@aws-lambda-powertools/logger';"],
  Metrics: ["import { Metrics } from '@aws-lambda-powertools/metrics';"],
  Idempotency: [
    "import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';",
    "import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';",
  ],
  Batch: ["import { BatchProcessor, EventType } from '@aws-lambda-powertools/batch';"],
};

/**
 * Each utility built with the options that decide what it loads; `dynamodb` is the floor's DynamoDB
 * client. The idempotency key's expression is compiled on first use, so any field selection will do.
 */
const UTILITY_BUILDS: Record<Utility, string> = {
  DocumentClient:
    'DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } })',
  Logger: "new Logger({ serviceName: 'floor' })",
  Metrics: "new Metrics({ serviceName: 'floor', namespace: 'floor' })",
  Idempotency:
    'makeIdempotent(async (event: unknown) => event, { persistenceStore: new DynamoDBPersistenceLayer(' +
    "{ tableName: 'floor', awsSdkV3Client: dynamodb }), config: new IdempotencyConfig({ eventKeyJmesPath: 'orderId' }) })",
  Batch: 'new BatchProcessor(EventType.SQS)',
};

interface Floor {
  readonly clients: readonly SdkClient[];
  readonly utilities: readonly Utility[];
}

/** The yardstick: a bundle of the DynamoDB client alone. */
const YARDSTICK: Floor = { clients: ['DynamoDB'], utilities: [] };

const floorKey = ({ clients, utilities }: Floor): string =>
  utilities.length > 0 ? `${clients.join('+')} with ${utilities.join('+')}` : clients.join('+');

/**
 * A bundle that builds these SDK clients and utilities and nothing else, bundled as the functions are.
 * With the DynamoDB client alone it is the yardstick.
 */
const buildFloor = async (directory: string, { clients, utilities }: Floor): Promise<string> => {
  if (utilities.length > 0 && !clients.includes('DynamoDB')) {
    throw new Error(
      'the document client and Powertools idempotency need the floor to build a DynamoDB client',
    );
  }
  mkdirSync(directory, { recursive: true });
  const entry = path.join(directory, 'entry.ts');
  writeFileSync(
    entry,
    [
      ...clients.map((client) => `import { ${client}Client } from '@aws-sdk/${CLIENT_PACKAGES[client]}';`),
      ...utilities.flatMap((utility) => UTILITY_IMPORTS[utility]),
      ...clients.map((client) => `const ${client.toLowerCase()} = new ${client}Client({});`),
      `const clients = [${clients.map((client) => client.toLowerCase()).join(', ')}];`,
      `const utilities: unknown[] = [${utilities.map((utility) => UTILITY_BUILDS[utility]).join(', ')}];`,
      'export const handler = async () => [await Promise.all(clients.map((client) => client.config.region())), utilities];',
      '',
    ].join('\n'),
  );
  // The functions' own bundler: what their aliases and plugin leave out of an SDK client, the yardstick
  // leaves out as well.
  await bundleFunction({ entry, outdir: path.join(directory, 'out') });
  return path.join(directory, 'out', 'index.js');
};

export const benchBundles = async (rounds: number): Promise<BundlesReport> => {
  const work = mkdtempSync(path.join(tmpdir(), 'orderflow-bench-bundles-'));
  try {
    const aws = {
      endpoint: 'http://127.0.0.1:1',
      region: 'us-east-1',
      accessKeyId: 'x',
      secretAccessKey: 'x',
    };
    /** Every function's bundle as `cdk synth` builds it with this context, and its environment. */
    const bundled = (directory: string, context: Record<string, string>) => {
      const assembly = path.join(work, directory);
      mkdirSync(assembly);
      const topology = deriveTopology(synthesizeApp({ bundleInto: assembly, context }), {
        region: 'us-east-1',
        accountId: '000000000000',
        queueUrl: (name) => `http://127.0.0.1:1/000000000000/${name}`,
      });
      return topology.functions.flatMap((fn) =>
        fn.bundle === undefined
          ? []
          : [{ fn, indexJs: path.join(fn.bundle, 'index.js'), env: sandboxEnvironment(fn, aws, fn.bundle) }],
      );
    };
    const targets = bundled('cdk.out', {});
    // The same functions with Powertools' Tracer built in and on (stage option traceSdkCalls).
    const tracedTargets = new Map(
      bundled('cdk.out.traced', { traceSdkCalls: 'true' }).map((target) => [target.fn.name, target]),
    );
    const baselineEnv = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x' };
    // The floors: one bundle per set of clients some function builds at load, and one per those clients
    // with the utilities it builds at load; DynamoDB alone is the yardstick.
    const floorsOf = (entry: string): { clientsOnly: Floor; toolkit: Floor } => ({
      clientsOnly: { clients: clientsAtLoad(entry), utilities: [] },
      toolkit: { clients: clientsAtLoad(entry), utilities: utilitiesAtLoad(entry) },
    });
    const floors = new Map<string, string>();
    for (const floor of [
      YARDSTICK,
      ...targets.flatMap((target) => Object.values(floorsOf(target.fn.entry ?? ''))),
    ]) {
      const key = floorKey(floor);
      if (!floors.has(key)) {
        floors.set(key, await buildFloor(path.join(work, `floor-${key.replace(/\W+/g, '-')}`), floor));
      }
    }
    const baselineJs = floors.get(floorKey(YARDSTICK)) ?? '';

    const samples = new Map<string, number[]>();
    const record = (key: string, ms: number) => samples.set(key, [...(samples.get(key) ?? []), ms]);
    // Round by round, one process at a time: every bundle meets the same moments of a noisy machine.
    for (let r = 0; r < rounds; r += 1) {
      for (const [key, floorJs] of floors) record(`floor ${key}`, await loadMs(floorJs, baselineEnv));
      for (const target of targets) {
        record(target.fn.name, await loadMs(target.indexJs, target.env));
        const traced = tracedTargets.get(target.fn.name);
        if (traced) record(`${target.fn.name} traced`, await loadMs(traced.indexJs, traced.env));
      }
    }
    const baselineMs = median(samples.get(`floor ${floorKey(YARDSTICK)}`) ?? []);
    const functions = targets
      .map(({ fn, indexJs }): BundleResult => {
        const ms = median(samples.get(fn.name) ?? []);
        const tracedMs = median(samples.get(`${fn.name} traced`) ?? []);
        const { clientsOnly, toolkit } = floorsOf(fn.entry ?? '');
        const floorMs = median(samples.get(`floor ${floorKey(clientsOnly)}`) ?? []);
        const toolkitMs = median(samples.get(`floor ${floorKey(toolkit)}`) ?? []);
        return {
          function: fn.name,
          entry: fn.entry ?? '',
          zipKB: round(zipBytes(path.dirname(indexJs)) / KB),
          indexJsKB: round(statSync(indexJs).size / KB),
          sourceMap: readdirSync(path.dirname(indexJs)).some((file) => file.endsWith('.map')),
          initMsMedian: round(ms),
          initRatio: round(ms / baselineMs, 2),
          clientsAtLoad: clientsOnly.clients,
          floorInitMsMedian: round(floorMs),
          initOverFloor: round(ms / floorMs, 2),
          utilitiesAtLoad: toolkit.utilities,
          toolkitFloorInitMsMedian: round(toolkitMs),
          initOverToolkitFloor: round(ms / toolkitMs, 2),
          tracedInitMsMedian: round(tracedMs),
          tracedInitRatio: round(tracedMs / baselineMs, 2),
        };
      })
      .sort((a, b) => a.entry.localeCompare(b.entry));
    return {
      rounds,
      baseline: { zipKB: round(zipBytes(path.dirname(baselineJs)) / KB), initMsMedian: round(baselineMs) },
      functions,
      largestZipKB: Math.max(...functions.map((f) => f.zipKB)),
      largestInitRatio: Math.max(...functions.map((f) => f.initRatio)),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
};

export const printBundles = (report: BundlesReport): void => {
  const base = report.baseline.initMsMedian;
  const times = (ms: number) => `${(ms / base).toFixed(2)}x`;
  console.log(
    `bundles: DynamoDB-only yardstick ${report.baseline.zipKB} kB zip, init ${base} ms (median of ${report.rounds})`,
  );
  for (const f of report.functions) {
    console.log(
      `  ${f.entry.padEnd(44)} zip ${String(f.zipKB).padStart(6)} kB  index.js ${String(f.indexJsKB).padStart(6)} kB  ` +
        `init ${String(f.initMsMedian).padStart(6)} ms  ${f.initRatio.toFixed(2)}x  ` +
        `traced ${String(f.tracedInitMsMedian).padStart(6)} ms  ${f.tracedInitRatio.toFixed(2)}x${f.sourceMap ? '  (source map)' : ''}`,
    );
    console.log(
      `  ${''.padEnd(44)} ${f.initOverFloor.toFixed(2)}x ${f.clientsAtLoad.join('+')} alone (${times(f.floorInitMsMedian)}), ` +
        `${f.initOverToolkitFloor.toFixed(2)}x those with ${f.utilitiesAtLoad.join('+')} (${times(f.toolkitFloorInitMsMedian)})`,
    );
  }
};

if (require.main === module) {
  void benchBundles(Number(process.env.BENCH_INIT_ROUNDS ?? 20)).then(printBundles);
}
