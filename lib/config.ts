import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { z } from 'zod';

/**
 * Stage configuration. Presets live here; a few values can be overridden from CDK context
 * (`-c processOrderMaxConcurrency=50`). Everything passes through one zod schema, so a bad
 * preset edit or a bad `-c` value fails synth with a readable message instead of a failed deploy.
 */
export const STAGES = ['dev', 'prod'] as const;
export type StageName = (typeof STAGES)[number];

const positiveInt = z.coerce.number().int().positive();

export const StageConfigSchema = z
  .object({
    stage: z.enum(STAGES),
    logs: z.object({
      /** Days; CloudWatch Logs accepts only the RetentionDays values. */
      retentionDays: z.coerce.number().pipe(z.enum(RetentionDays)),
      /** Log groups are operational data: destroyed with the stack in dev, kept in prod. */
      removal: z.enum(['destroy', 'retain']),
      /**
       * Ship each function's source map and run it with --enable-source-maps, so stack traces in the logs
       * name source files and lines. Off in both presets (the zips stay under 200 KB and cold starts short);
       * turn it on for a debugging deploy with `-c sourceMaps=true`.
       */
      sourceMaps: z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean()),
    }),
    tracing: z.object({
      /**
       * Powertools' Tracer in the functions: an X-Ray subsegment per AWS call, annotations, and the
       * POWERTOOLS_TRACE_ENABLED variable on. Off in both presets: the Tracer and the X-Ray SDK under it
       * add ~0.3–0.8× the DynamoDB-only yardstick to every cold start and ~27 kB to every zip, and the SDK turns
       * on an async hook that every promise of the function pays for. Lambda's and Step Functions' active
       * tracing stay on either way, and the AWS SDK passes the trace header on, so a trace still follows an
       * order across services.
       * Turn it on with `-c traceSdkCalls=true`.
       */
      sdkCalls: z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean()),
    }),
    tables: z.object({ deletionProtection: z.boolean() }),
    bucket: z.object({
      incomingExpiryDays: positiveInt,
      rejectedExpiryDays: positiveInt,
      processedExpiryDays: positiveInt,
      noncurrentVersionExpiryDays: positiveInt,
      abortIncompleteMultipartUploadDays: positiveInt,
      accessLogsExpiryDays: positiveInt,
    }),
    ingest: z.object({
      timeoutSeconds: z.coerce.number().int().min(1).max(900),
      memoryMb: z.coerce.number().int().min(128).max(10240),
      /** Async-invoke retries before the event goes to the on-failure destination. */
      retryAttempts: z.coerce.number().int().min(0).max(2),
      maxEventAgeSeconds: z.coerce.number().int().min(60).max(21600),
    }),
    processOrder: z.object({
      timeoutSeconds: z.coerce.number().int().min(1).max(900),
      memoryMb: z.coerce.number().int().min(128).max(10240),
      /** Lambda's SQS maximum concurrency accepts 2–1000. */
      maxConcurrency: z.coerce.number().int().min(2).max(1000),
    }),
    sagaStep: z.object({
      timeoutSeconds: z.coerce.number().int().min(1).max(900),
      memoryMb: z.coerce.number().int().min(128).max(10240),
    }),
    ordersQueue: z.object({
      /** Receives before SQS moves a message to orders-dlq.fifo. */
      maxReceiveCount: z.coerce.number().int().min(1).max(1000),
    }),
    queues: z.object({
      /**
       * Every queue (orders.fifo, orders-dlq.fifo, the failure queues) may hold messages nobody has
       * looked at yet: destroyed with the stack in dev, kept in prod for an operator to drain and delete.
       */
      removal: z.enum(['destroy', 'retain']),
    }),
    stateMachine: z.object({
      /** ALL + execution data in dev for debugging; ERROR without data in prod so payment tokens never reach logs. */
      logLevel: z.enum(['ALL', 'ERROR']),
      includeExecutionData: z.boolean(),
    }),
    alarms: z.object({
      dlqOldestMessageAgeSeconds: positiveInt,
      /** orders.fifo not draining: a consumer down, throttled, or a message group held back by a failure. */
      ordersOldestMessageAgeSeconds: positiveInt,
      periodSeconds: z.coerce.number().int().min(60),
      evaluationPeriods: positiveInt,
    }),
  })
  .refine((c) => c.stage !== 'prod' || !c.stateMachine.includeExecutionData, {
    message: 'prod must not log execution data (payment tokens would reach the logs)',
    path: ['stateMachine', 'includeExecutionData'],
  });

export type StageConfig = z.infer<typeof StageConfigSchema>;

const sharedDefaults = {
  tracing: { sdkCalls: false },
  bucket: {
    incomingExpiryDays: 30,
    rejectedExpiryDays: 90,
    processedExpiryDays: 90,
    noncurrentVersionExpiryDays: 30,
    abortIncompleteMultipartUploadDays: 1,
    accessLogsExpiryDays: 90,
  },
  ingest: { timeoutSeconds: 300, memoryMb: 1024, retryAttempts: 2, maxEventAgeSeconds: 6 * 3600 },
  processOrder: { timeoutSeconds: 30, memoryMb: 512, maxConcurrency: 10 },
  sagaStep: { timeoutSeconds: 10, memoryMb: 256 },
  ordersQueue: { maxReceiveCount: 5 },
  alarms: {
    dlqOldestMessageAgeSeconds: 3600,
    // A message retried transiently is on the queue for up to maxReceiveCount × visibility timeout
    // (5 × 180 s = 15 min in both presets) before SQS moves it to the DLQ; older means stalled.
    ordersOldestMessageAgeSeconds: 900,
    periodSeconds: 300,
    evaluationPeriods: 1,
  },
} as const;

const PRESETS: Record<StageName, unknown> = {
  dev: {
    ...sharedDefaults,
    stage: 'dev',
    logs: { retentionDays: 14, removal: 'destroy', sourceMaps: false },
    queues: { removal: 'destroy' },
    tables: { deletionProtection: false },
    bucket: { ...sharedDefaults.bucket, incomingExpiryDays: 7, noncurrentVersionExpiryDays: 7 },
    stateMachine: { logLevel: 'ALL', includeExecutionData: true },
  },
  prod: {
    ...sharedDefaults,
    stage: 'prod',
    logs: { retentionDays: 90, removal: 'retain', sourceMaps: false },
    queues: { removal: 'retain' },
    tables: { deletionProtection: true },
    processOrder: { ...sharedDefaults.processOrder, maxConcurrency: 50 },
    stateMachine: { logLevel: 'ERROR', includeExecutionData: false },
  },
};

/** Context keys that may override a preset value, and where the value goes. */
const CONTEXT_OVERRIDES = {
  processOrderMaxConcurrency: ['processOrder', 'maxConcurrency'],
  ordersMaxReceiveCount: ['ordersQueue', 'maxReceiveCount'],
  logRetentionDays: ['logs', 'retentionDays'],
  sourceMaps: ['logs', 'sourceMaps'],
  traceSdkCalls: ['tracing', 'sdkCalls'],
  ordersOldestMessageAgeSeconds: ['alarms', 'ordersOldestMessageAgeSeconds'],
} as const;

export type ContextReader = (key: string) => unknown;

/**
 * Builds the stage config from CDK context: `stage` (dev|prod, default dev) picks the preset,
 * the keys in CONTEXT_OVERRIDES replace single values. Throws with every problem listed.
 */
export const loadStageConfig = (readContext: ContextReader): StageConfig => {
  const stageValue = readContext('stage') ?? 'dev';
  const stage = z.enum(STAGES).safeParse(stageValue);
  if (!stage.success) {
    throw new Error(`context "stage" must be one of ${STAGES.join('|')}, got ${JSON.stringify(stageValue)}`);
  }
  const raw = structuredClone(PRESETS[stage.data]) as Record<string, Record<string, unknown>>;
  for (const [key, [section, field]] of Object.entries(CONTEXT_OVERRIDES)) {
    const value = readContext(key);
    const target = raw[section];
    if (value !== undefined && target !== undefined) target[field] = value;
  }
  const parsed = StageConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid ${stage.data} stage config: ${problems}`);
  }
  return parsed.data;
};
