/**
 * Ingest throughput and memory: generates N-record files, uploads them to fauxqs, runs
 * ingestObject against it and records records/s, peak RSS and peak heap growth per size.
 * fauxqs runs in a child process, because it keeps every object and message in memory and
 * would otherwise be measured as ingest's memory.
 *
 *   npx tsx bench/ingest.bench.ts     # jsonl at 20k and 100k; json, csv.gz and jsonl with SQS stubbed at 100k
 *   BENCH_SIZES=5000,20000 npx tsx bench/ingest.bench.ts
 *   npx tsx bench/ingest.bench.ts --core   # only the ingest core (BENCH_CORE_SIZES, default 100k and 1M) vs its ceiling
 *   BENCH_CPU_PROF=/tmp/prof npx tsx bench/ingest.bench.ts --core   # and a .cpuprofile of each ingestObject call
 *
 * Writes bench/results/ingest.json.
 */
import '../lib/require-node';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createGzip } from 'node:zlib';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { makeS3Client, makeSqsClient } from '#shared/aws/clients';
import { DEFAULT_MAX_IN_FLIGHT } from '../functions/ingest/enqueue';
import { ingestObject } from '../functions/ingest/ingest-object';
import { STAND_IN_CHECKSUM_ENVIRONMENT } from '../local/lambda/environment';
import { type BundlesReport, benchBundles, printBundles } from './bundles';
import { benchGroupParallel, type GroupParallelResult, printGroupParallel } from './group-parallel';
import { benchLocalRuntimeSections } from './local-runtime.bench';

type Format = 'jsonl' | 'json' | 'csv.gz';

interface Run {
  readonly format: Format;
  readonly records: number;
  /** `stub` answers SendMessageBatch in-process, isolating ingest's own cost from the stand-in's. */
  readonly sqs: 'fauxqs' | 'stub';
  /** With the stub: each SendMessageBatch answers after this long, as a call to SQS would. @default 0 */
  readonly sqsLatencyMs?: number;
  /** SendMessageBatch calls in flight (SenderConfig.maxInFlight). @default the sender's default */
  readonly maxInFlight?: number;
  /** Also read the same object with readline + JSON.parse alone, right after: the ceiling. */
  readonly ceiling?: boolean;
}

interface Result extends Run {
  readonly bytes: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly baselineRssMiB: number;
  readonly peakRssMiB: number;
  readonly rssGrowthMiB: number;
  readonly peakHeapGrowthMiB: number;
  /** Largest heap still in use right after a forced GC during the run: what ingest actually holds. */
  readonly retainedHeapGrowthMiB: number;
  /** readline + JSON.parse over the same object, measured right after (Run.ceiling). */
  readonly ceilingRecordsPerSecond?: number;
  /** recordsPerSecond / ceilingRecordsPerSecond. */
  readonly ofCeiling?: number;
  /** Records per second of this process's CPU time (user + system): steadier than wall time on a busy machine. */
  readonly recordsPerCpuSecond: number;
  /** The ceiling's records per CPU second. */
  readonly ceilingRecordsPerCpuSecond?: number;
  /** recordsPerCpuSecond / ceilingRecordsPerCpuSecond. */
  readonly ofCeilingCpu?: number;
}

const MiB = 1024 * 1024;
const round = (value: number, digits = 1): number => Number(value.toFixed(digits));

// ---------- the stand-in, in its own process ----------

const serve = async (): Promise<void> => {
  const { startFauxqs } = await import('fauxqs');
  const fauxqs = await startFauxqs({ port: 0, logger: false, host: '127.0.0.1' });
  process.stdout.write(`${JSON.stringify({ endpoint: `http://127.0.0.1:${fauxqs.port}` })}\n`);
  process.on('SIGTERM', () => {
    void fauxqs.stop().then(() => process.exit(0));
  });
};

const startChild = async (): Promise<{ child: ChildProcess; endpoint: string }> => {
  const child = spawn(process.execPath, [...process.execArgv, __filename, '--serve'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as Readable });
  for await (const line of lines) {
    const { endpoint } = JSON.parse(line) as { endpoint: string };
    lines.close();
    return { child, endpoint };
  }
  throw new Error('the fauxqs child exited before reporting its endpoint');
};

// ---------- generated input ----------

const SKUS = [
  ['KB-MECH-87', 8999],
  ['MOUSE-ERGO-2', 5499],
  ['CABLE-USBC-2M', 1299],
  ['MON-27-4K', 34900],
  ['SSD-NVME-1TB', 8999],
] as const;

/** Record n: a valid order, except every 50th, which is invalid (totals do not add up). */
const orderFor = (n: number) => {
  const [skuA, priceA] = SKUS[n % SKUS.length] ?? SKUS[0];
  const [skuB, priceB] = SKUS[(n + 2) % SKUS.length] ?? SKUS[0];
  const items = [
    { sku: skuA, quantity: 1 + (n % 3), unitPriceCents: priceA },
    { sku: skuB, quantity: 1, unitPriceCents: priceB },
  ];
  const total = items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
  return {
    schemaVersion: 1,
    orderId: `bench-${String(n).padStart(7, '0')}`,
    customerId: `cust-${n % 9973}`,
    currency: 'EUR',
    items,
    totalCents: n % 50 === 0 ? total + 1 : total,
    payment: { token: 'tok_visa' },
    shipTo: { country: 'DE', postalCode: String(10_000 + (n % 89_999)) },
    placedAt: '2026-11-20T09:15:00+01:00',
  };
};

async function* jsonlText(records: number): AsyncGenerator<string> {
  for (let n = 1; n <= records; n += 1) yield `${JSON.stringify(orderFor(n))}\n`;
}

async function* jsonText(records: number): AsyncGenerator<string> {
  yield '[\n';
  for (let n = 1; n <= records; n += 1) yield `${JSON.stringify(orderFor(n))}${n < records ? ',' : ''}\n`;
  yield ']\n';
}

async function* csvText(records: number): AsyncGenerator<string> {
  yield 'order_id,customer_id,currency,sku,quantity,unit_price_cents,total_cents,payment_token,ship_country,ship_postal_code,placed_at\n';
  for (let n = 1; n <= records; n += 1) {
    const order = orderFor(n);
    for (const item of order.items) {
      yield `${order.orderId},${order.customerId},${order.currency},${item.sku},${item.quantity},${item.unitPriceCents},${order.totalCents},${order.payment.token},${order.shipTo.country},${order.shipTo.postalCode},${order.placedAt}\n`;
    }
  }
}

/** The file as a byte stream, generated on the fly so the bench never holds it whole. */
const fileStream = (run: Run): Readable => {
  switch (run.format) {
    case 'jsonl':
      return Readable.from(jsonlText(run.records));
    case 'json':
      return Readable.from(jsonText(run.records));
    case 'csv.gz':
      return Readable.from(csvText(run.records)).pipe(createGzip({ level: 6 }));
  }
};

const PART_BYTES = 8 * MiB;

/** Multipart upload in 8 MiB parts: fauxqs takes at most 11 MiB per request. Returns the size. */
const upload = async (s3: S3Client, bucket: string, key: string, stream: Readable): Promise<number> => {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  const parts: { PartNumber: number; ETag?: string }[] = [];
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let total = 0;
  const sendPart = async (): Promise<void> => {
    const PartNumber = parts.length + 1;
    const body = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    const { ETag } = await s3.send(
      new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber, Body: body }),
    );
    parts.push({ PartNumber, ETag });
  };
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    pending.push(bytes);
    pendingBytes += bytes.byteLength;
    total += bytes.byteLength;
    if (pendingBytes >= PART_BYTES) await sendPart();
  }
  if (pendingBytes > 0 || parts.length === 0) await sendPart();
  await s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: bucket,
      Key: key,
      UploadId,
      MultipartUpload: { Parts: parts },
    }),
  );
  return total;
};

// ---------- measurement ----------

/** Accepts every entry, at once or after `latencyMs`: what ingest costs when SQS costs nothing, or a call's latency. */
const stubSqs = (latencyMs = 0): SQSClient =>
  ({
    send: async (command: unknown): Promise<SendMessageBatchCommandOutput> => {
      if (!(command instanceof SendMessageBatchCommand))
        throw new Error('the SQS stub only takes SendMessageBatch');
      if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
      const entries = command.input.Entries ?? [];
      return {
        Successful: entries.map((entry) => ({ Id: entry.Id, MessageId: entry.Id, MD5OfMessageBody: '' })),
        Failed: [],
        $metadata: {},
      };
    },
    destroy: () => undefined,
  }) as unknown as SQSClient;

const collectGarbage: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

const settle = async (): Promise<void> => {
  for (let i = 0; i < 3; i += 1) {
    collectGarbage();
    await new Promise((resolve) => setImmediate(resolve));
  }
};

const measure = async (run: Run): Promise<Result> => {
  const s3 = makeS3Client();
  const sqs = run.sqs === 'stub' ? stubSqs(run.sqsLatencyMs) : makeSqsClient();
  const suffix = `${run.format.replace('.', '-')}-${run.records}-${Date.now().toString(36)}`;
  const bucket = `bench-${suffix}`;
  const key = `incoming/bench-${run.records}.${run.format}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const queue =
    run.sqs === 'stub'
      ? { QueueUrl: 'stub' }
      : await sqs.send(
          new CreateQueueCommand({ QueueName: `bench-${suffix}.fifo`, Attributes: { FifoQueue: 'true' } }),
        );
  const bytes = await upload(s3, bucket, key, fileStream(run));

  await settle();
  const baseline = process.memoryUsage();
  let peakRss = baseline.rss;
  let peakHeap = baseline.heapUsed;
  let retainedHeap = baseline.heapUsed;
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakHeap = Math.max(peakHeap, now.heapUsed);
  }, 20);
  // V8 lets garbage pile up until it needs room, so peaks say little about what is kept alive.
  const retained = setInterval(() => {
    collectGarbage();
    retainedHeap = Math.max(retainedHeap, process.memoryUsage().heapUsed);
  }, 500);

  const profiler = await startProfiler();
  const cpuStarted = process.cpuUsage();
  const started = process.hrtime.bigint();
  const summary = await ingestObject(
    { bucket, key, sequencer: '00', version: 'sequencer:00', size: bytes },
    {
      s3,
      sqs,
      config: {
        queueUrl: queue.QueueUrl ?? '',
        ...(run.maxInFlight === undefined ? {} : { maxInFlight: run.maxInFlight }),
      },
    },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuSeconds = cpuSecondsSince(cpuStarted);
  await profiler?.stop(`ingest-${suffix}`);
  clearInterval(sampler);
  clearInterval(retained);
  const end = process.memoryUsage();
  peakRss = Math.max(peakRss, end.rss);
  peakHeap = Math.max(peakHeap, end.heapUsed);
  const ceiling = run.ceiling ? await readlineCeiling(s3, bucket, key) : undefined;
  s3.destroy();
  sqs.destroy();

  if (summary.recordsRead !== run.records) {
    throw new Error(`read ${summary.recordsRead} records of ${run.records}: the bench input is wrong`);
  }
  return {
    ...run,
    bytes,
    seconds: round(seconds, 2),
    recordsPerSecond: Math.round(summary.recordsRead / seconds),
    accepted: summary.accepted,
    rejected: summary.rejected,
    baselineRssMiB: round(baseline.rss / MiB),
    peakRssMiB: round(peakRss / MiB),
    rssGrowthMiB: round((peakRss - baseline.rss) / MiB),
    peakHeapGrowthMiB: round((peakHeap - baseline.heapUsed) / MiB),
    retainedHeapGrowthMiB: round((retainedHeap - baseline.heapUsed) / MiB),
    recordsPerCpuSecond: Math.round(summary.recordsRead / cpuSeconds),
    ...(ceiling === undefined
      ? {}
      : {
          ceilingRecordsPerSecond: ceiling.wall,
          ofCeiling: round(summary.recordsRead / seconds / ceiling.wall, 2),
          ceilingRecordsPerCpuSecond: ceiling.cpu,
          ofCeilingCpu: round(summary.recordsRead / cpuSeconds / ceiling.cpu, 2),
        }),
  };
};

/**
 * With BENCH_CPU_PROF=<dir>: a CPU profile of the ingestObject call alone (not the input's generation
 * and upload), written as <dir>/<name>.cpuprofile for Chrome DevTools or a script.
 */
const startProfiler = async (): Promise<{ stop: (name: string) => Promise<void> } | undefined> => {
  const dir = process.env.BENCH_CPU_PROF;
  if (!dir) return undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    stop: async (name) => {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    },
  };
};

/** Records/s of reading the object with readline and JSON.parse alone: no validation, no hashing, no sending. */
const readlineCeiling = async (
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<{ wall: number; cpu: number }> => {
  const cpuStarted = process.cpuUsage();
  const started = process.hrtime.bigint();
  const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  let records = 0;
  for await (const line of createInterface({
    input: Body as Readable,
    crlfDelay: Number.POSITIVE_INFINITY,
  })) {
    if (line.length > 0 && JSON.parse(line) !== undefined) records += 1;
  }
  return {
    wall: Math.round(records / (Number(process.hrtime.bigint() - started) / 1e9)),
    cpu: Math.round(records / cpuSecondsSince(cpuStarted)),
  };
};

const cpuSecondsSince = (start: NodeJS.CpuUsage): number => {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1e6;
};

const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
/** Only the ingest core against its ceiling: nothing else runs. */
const CORE_ONLY = process.argv.includes('--core');

/** Calls of SendMessageBatch in flight the sending curve tries, each call answered after SEND_LATENCY_MS. */
const IN_FLIGHT_STEPS = [1, 2, 4, 8, 16, 32, 64];
const SEND_LATENCY_MS = 20;

const plan = (): Run[] => {
  const sizes = (process.env.BENCH_SIZES ?? (QUICK ? '5000,20000' : '20000,100000')).split(',').map(Number);
  const largest = Math.max(...sizes);
  const core = (process.env.BENCH_CORE_SIZES ?? (QUICK ? '20000,100000' : '100000,1000000'))
    .split(',')
    .map(Number);
  const curveRecords = QUICK ? 5_000 : 20_000;
  const coreRuns = core.map((records) => ({
    format: 'jsonl' as const,
    records,
    sqs: 'stub' as const,
    ceiling: true,
  }));
  if (CORE_ONLY) return coreRuns;
  return [
    ...sizes.map((records) => ({ format: 'jsonl' as const, records, sqs: 'fauxqs' as const })),
    { format: 'json', records: largest, sqs: 'fauxqs' },
    { format: 'csv.gz', records: largest, sqs: 'fauxqs' },
    // The ingest core: SQS answers at once, the same object read again with readline + JSON.parse alone.
    ...coreRuns,
    // The sending curve: each SendMessageBatch takes SEND_LATENCY_MS, with more and more calls in flight.
    ...IN_FLIGHT_STEPS.map((maxInFlight) => ({
      format: 'jsonl' as const,
      records: curveRecords,
      sqs: 'stub' as const,
      sqsLatencyMs: SEND_LATENCY_MS,
      maxInFlight,
    })),
  ];
};

const main = async (): Promise<void> => {
  const { child, endpoint } = await startChild();
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ENDPOINT_URL_SQS: endpoint,
    // As the local runtime: the stand-in's S3 gets checksums only where required.
    ...STAND_IN_CHECKSUM_ENVIRONMENT,
  });
  try {
    const results: Result[] = [];
    for (const run of plan()) {
      const result = await measure(run);
      results.push(result);
      const sending =
        result.sqsLatencyMs === undefined
          ? ''
          : `  ${result.maxInFlight} calls in flight × ${result.sqsLatencyMs} ms`;
      const ceiling =
        result.ceilingRecordsPerSecond === undefined
          ? ''
          : `  readline+JSON.parse ${result.ceilingRecordsPerSecond} rec/s → ${result.ofCeiling}x` +
            ` (per CPU second: ${result.recordsPerCpuSecond} vs ${result.ceilingRecordsPerCpuSecond} → ${result.ofCeilingCpu}x)`;
      console.log(
        `${result.format.padEnd(7)} ${result.sqs.padEnd(6)} ${String(result.records).padStart(7)} records  ${(result.bytes / MiB).toFixed(1).padStart(6)} MiB  ` +
          `${String(result.recordsPerSecond).padStart(6)} rec/s  peak RSS ${result.peakRssMiB} MiB ` +
          `(+${result.rssGrowthMiB})  heap +${result.peakHeapGrowthMiB} MiB peak, +${result.retainedHeapGrowthMiB} MiB retained${sending}${ceiling}`,
      );
    }
    if (CORE_ONLY) {
      const out = join(__dirname, 'results');
      mkdirSync(out, { recursive: true });
      writeResult(out, process.env.BENCH_CORE_RESULT ?? 'ingest-core.json', {
        benchmark: 'ingest core',
        results,
      });
      return;
    }
    const curve = results.filter((result) => result.sqsLatencyMs !== undefined);
    const sending = sendingSummary(curve);
    console.log(
      `sending: ${sending.suggestedMaxInFlight} calls in flight reach 80 % of the best rate; the default, ${sending.configuredDefaultMaxInFlight}, ${sending.recordsPerSecondAtDefault} rec/s; ` +
        `1,000,000 records in ${sending.secondsFor1MAtDefault} s (ingest timeout ${INGEST_TIMEOUT_SECONDS} s)`,
    );
    const jsonl = results.filter((result) => result.format === 'jsonl' && result.sqs === 'fauxqs');
    const small = jsonl[0];
    const large = jsonl.at(-1);
    const comparison =
      small && large && small !== large
        ? {
            sizes: [small.records, large.records],
            recordRatio: round(large.records / small.records, 2),
            peakHeapGrowthRatio: round(large.peakHeapGrowthMiB / Math.max(small.peakHeapGrowthMiB, 0.1), 2),
            retainedHeapGrowthRatio: round(
              large.retainedHeapGrowthMiB / Math.max(small.retainedHeapGrowthMiB, 0.1),
              2,
            ),
            rssGrowthRatio: round(large.rssGrowthMiB / Math.max(small.rssGrowthMiB, 0.1), 2),
          }
        : undefined;
    if (comparison) {
      console.log(
        `memory vs size: ${comparison.recordRatio}x the records -> ${comparison.retainedHeapGrowthRatio}x the retained heap, ` +
          `${comparison.peakHeapGrowthRatio}x the peak heap, ${comparison.rssGrowthRatio}x the RSS growth`,
      );
    }
    const out = join(__dirname, 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(
      join(out, 'ingest.json'),
      `${JSON.stringify(
        {
          benchmark: 'ingest',
          measuredAt: new Date().toISOString(),
          node: process.version,
          platform: `${process.platform}-${process.arch}`,
          note: 'ingestObject in-process against fauxqs in a child process; 2% of records invalid',
          results,
          comparison,
          sending,
        },
        null,
        2,
      )}\n`,
    );
    console.log(`wrote ${join(out, 'ingest.json')}`);

    const traced = await benchCoreWithXraySdk(TRACED_CORE_RECORDS);
    const untraced = results.find((r) => r.ceiling && r.records === TRACED_CORE_RECORDS);
    const tracedCore = {
      records: TRACED_CORE_RECORDS,
      recordsPerSecond: traced.recordsPerSecond,
      withoutRecordsPerSecond: untraced?.recordsPerSecond,
      ratio: untraced ? round(traced.recordsPerSecond / untraced.recordsPerSecond, 2) : undefined,
    };
    console.log(
      `ingest core with the X-Ray SDK loaded (traceSdkCalls=true): ${tracedCore.recordsPerSecond} rec/s at ${TRACED_CORE_RECORDS} records, ` +
        `${tracedCore.ratio}x the ${tracedCore.withoutRecordsPerSecond} rec/s without`,
    );

    const groupParallel = await benchGroupParallel(SEND_LATENCY_MS, QUICK ? 3 : 5);
    printGroupParallel(groupParallel);
    writeResult(out, 'process-order.json', {
      benchmark: 'process-order batch processors',
      results: groupParallel,
    });

    const bundles = await benchBundles(Number(process.env.BENCH_INIT_ROUNDS ?? (QUICK ? 10 : 20)));
    printBundles(bundles);
    writeResult(out, 'bundles.json', { benchmark: 'bundles and module initialisation', ...bundles });

    printSummary(results, sending, groupParallel, bundles, tracedCore);
  } finally {
    child.kill('SIGTERM');
  }
  if (CORE_ONLY) return;
  // §5–§7: end to end, cost per million orders and the flash sale, through the local runtime.
  await benchLocalRuntimeSections(QUICK);
};

/** The records of the ingest-core run repeated with the X-Ray SDK loaded. */
const TRACED_CORE_RECORDS = 100_000;

/**
 * The ingest core in a process that has loaded the X-Ray SDK, as a function with Powertools' Tracer on
 * does (traceSdkCalls=true): its context module turns on an async hook for the whole process. Its own
 * process, because the hook cannot be turned off again.
 */
const benchCoreWithXraySdk = async (records: number): Promise<Result> => {
  // The child writes its result as the --core run does; the ratio to this run's core is printed.
  const file = 'ingest-core-traced.json';
  await promisify(execFile)(
    process.execPath,
    ['--require', 'aws-xray-sdk-core', '--import', 'tsx', __filename, '--core'],
    {
      cwd: join(__dirname, '..'),
      env: { ...process.env, BENCH_CORE_SIZES: String(records), BENCH_CORE_RESULT: file },
      maxBuffer: 16 * MiB,
    },
  );
  const { results } = JSON.parse(readFileSync(join(__dirname, 'results', file), 'utf8')) as {
    results: Result[];
  };
  const result = results[0];
  if (result === undefined) throw new Error(`${file} holds no result`);
  return result;
};

const writeResult = (out: string, file: string, body: Record<string, unknown>): void => {
  writeFileSync(
    join(out, file),
    `${JSON.stringify({ measuredAt: new Date().toISOString(), node: process.version, ...body }, null, 2)}\n`,
  );
  console.log(`wrote ${join(out, file)}`);
};

/** The ingest function's timeout in both presets (lib/config.ts): one invocation's time budget. */
const INGEST_TIMEOUT_SECONDS = 300;

/**
 * What the curve suggests: the fewest calls in flight that reach 80 % of the best rate measured (more
 * buy little and hold more records in memory). The configured default (DEFAULT_MAX_IN_FLIGHT) is printed
 * next to it, with the time a 1,000,000-record file takes at the configured default's measured rate.
 */
const sendingSummary = (curve: readonly Result[]) => {
  const best = Math.max(...curve.map((r) => r.recordsPerSecond));
  const chosen = curve.find((r) => r.recordsPerSecond >= 0.8 * best) ?? curve.at(-1);
  const rate = curve.find((r) => r.maxInFlight === DEFAULT_MAX_IN_FLIGHT)?.recordsPerSecond ?? 0;
  return {
    latencyMs: SEND_LATENCY_MS,
    curve: curve.map((r) => ({ maxInFlight: r.maxInFlight, recordsPerSecond: r.recordsPerSecond })),
    bestRecordsPerSecond: best,
    suggestedMaxInFlight: chosen?.maxInFlight,
    configuredDefaultMaxInFlight: DEFAULT_MAX_IN_FLIGHT,
    recordsPerSecondAtDefault: rate,
    secondsFor1MAtDefault: rate > 0 ? Math.round(1_000_000 / rate) : undefined,
  };
};

const printSummary = (
  results: readonly Result[],
  sending: ReturnType<typeof sendingSummary>,
  groupParallel: readonly GroupParallelResult[],
  bundles: BundlesReport,
  tracedCore: { records: number; recordsPerSecond: number; ratio?: number },
): void => {
  const core = results.filter((r) => r.ceiling);
  const largestToolkitMs = Math.max(...bundles.functions.map((f) => f.toolkitFloorInitMsMedian));
  const rows: [string, string][] = [
    ...core.map((r): [string, string] => [
      `ingest core, ${r.records.toLocaleString('en')} jsonl records, SQS stubbed`,
      `${r.recordsPerSecond} rec/s = ${r.ofCeiling}x readline+JSON.parse (${r.ceilingRecordsPerSecond} rec/s), ${r.ofCeilingCpu}x per CPU second; peak RSS ${r.peakRssMiB} MiB`,
    ]),
    [
      `ingest core, ${tracedCore.records.toLocaleString('en')} records, X-Ray SDK loaded`,
      `${tracedCore.recordsPerSecond} rec/s = ${tracedCore.ratio}x the same without (traceSdkCalls=true)`,
    ],
    [
      `sending, ${sending.latencyMs} ms per SendMessageBatch`,
      sending.curve.map((p) => `${p.maxInFlight}: ${p.recordsPerSecond}`).join(', ') + ' rec/s',
    ],
    [
      `default calls in flight`,
      `${sending.configuredDefaultMaxInFlight} (curve suggests ${sending.suggestedMaxInFlight}); 1M records in ${sending.secondsFor1MAtDefault} s at it`,
    ],
    ...groupParallel.map((g): [string, string] => [
      `process-order, ${g.batch}`,
      `sequential ${g.sequentialMs} ms, group-parallel ${g.groupParallelMs} ms: ${g.speedup}x`,
    ]),
    [`largest deployment zip`, `${bundles.largestZipKB} kB`],
    [
      `module init vs DynamoDB-only bundle`,
      `worst ${bundles.largestInitRatio}x (yardstick ${bundles.baseline.initMsMedian} ms, median of ${bundles.rounds})`,
    ],
    [
      `module init vs its SDK clients and utilities alone`,
      `worst ${Math.max(...bundles.functions.map((f) => f.initOverToolkitFloor))}x; the heaviest of those alone ` +
        `${(largestToolkitMs / bundles.baseline.initMsMedian).toFixed(2)}x the yardstick`,
    ],
    [
      `module init with traceSdkCalls=true`,
      `worst ${Math.max(...bundles.functions.map((f) => f.tracedInitRatio))}x`,
    ],
  ];
  console.log('\nsummary');
  for (const [what, figure] of rows) console.log(`  ${what.padEnd(58)} ${figure}`);
};

if (process.argv.includes('--serve')) {
  void serve();
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
