import { setTimeout as sleep } from 'node:timers/promises';
import { IdempotencyAlreadyInProgressError } from '@aws-lambda-powertools/idempotency';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { makeDynamoDbClient, makeS3Client, makeSqsClient } from '#shared/aws/clients';
import { lostAnswerSafePersistenceLayer } from '#shared/aws/idempotency-store';
import { type EventDeps, handleS3Event } from '../../functions/ingest/handle-event';
import type { handler as IngestHandler } from '../../functions/ingest/handler';
import { makeIngestIdempotencyConfig, makeIngestOnce } from '../../functions/ingest/ingest-once';
import { drainQueue } from '../helpers/aws-resources';
import { holdObjectReads, leaveInProgressMarker } from '../helpers/ingest-contention';
import { setUpIngest } from '../helpers/ingest-env';
import { lambdaContext } from '../helpers/lambda-context';
import { anOrder, manyOrders, toJsonLines } from '../helpers/orders';
import { s3Event } from '../helpers/s3-event';
import { putObject } from '../helpers/s3-objects';

const s3 = makeS3Client();
const sqs = makeSqsClient();
const dynamodb = makeDynamoDbClient();

let bucket: string;
let queueUrl: string;
let table: string;
let handler: typeof IngestHandler;

beforeAll(async () => {
  ({ bucket, queueUrl, table, handler } = await setUpIngest(s3, sqs, dynamodb));
});

/**
 * One Lambda container's ingest: the handler's composition with its own clients, persistence
 * store and context. `s3` lets a test park this container mid-file.
 */
const container = (s3Client = makeS3Client(), extra: Partial<EventDeps> = {}) => {
  const config = makeIngestIdempotencyConfig();
  const context = lambdaContext();
  config.registerLambdaContext(context);
  const ingestOnce = makeIngestOnce(
    { s3: s3Client, sqs: makeSqsClient(), config: { queueUrl, maxInFlight: 4 } },
    lostAnswerSafePersistenceLayer({ tableName: table, client: makeDynamoDbClient() }),
    config,
  );
  const deps: EventDeps = {
    ingestOnce,
    logger: new Logger({ serviceName: 'ingest', logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'orderflow-test', serviceName: 'ingest' }),
    remainingTimeInMillis: () => context.getRemainingTimeInMillis(),
    ...extra,
  };
  return (event: Parameters<typeof handleS3Event>[0]) => handleS3Event(event, deps);
};

describe('ingest while another invocation holds the object version', () => {
  it('waits for a concurrent invocation still reading the file and returns its outcome instead of failing', async () => {
    // Arrange: the first invocation takes the marker and is parked reading the file.
    const key = 'incoming/large.jsonl';
    await putObject(s3, bucket, key, toJsonLines(manyOrders(25, 'ord-busy')));
    const event = s3Event({ bucket, key, versionId: 'v-busy' });
    const firstS3 = makeS3Client();
    const reads = holdObjectReads(firstS3);
    const first = container(firstS3)(event);
    await reads.reached;
    const waiting = Promise.withResolvers<void>();
    const duplicate = container(makeS3Client(), {
      sleep: async (ms) => {
        waiting.resolve();
        await sleep(ms);
      },
    });

    // Act: the duplicate notification arrives; the first invocation finishes only once it waits.
    const second = duplicate(event);
    await Promise.race([waiting.promise, second]);
    reads.release();
    const [[firstOutcome], [secondOutcome]] = await Promise.all([first, second]);

    // Assert
    expect(firstOutcome).toMatchObject({ accepted: 25, duplicate: false });
    expect(secondOutcome).toEqual({ ...firstOutcome, duplicate: true, waitedForOtherInvocation: true });
    expect(await drainQueue(sqs, queueUrl, 25)).toHaveLength(25);
  });

  it('ingests a file whose first invocation crashed, once the marker it left expires', async () => {
    // Arrange: the first invocation crashed 1.5 s before its deadline; S3 will not notify again.
    const key = 'incoming/crashed.jsonl';
    await putObject(s3, bucket, key, toJsonLines([anOrder({ orderId: 'ord-crash1' })]));
    await leaveInProgressMarker(dynamodb, table, { bucket, key, version: 'v-crash' }, 1_500);

    // Act: Lambda's retry of the crashed event arrives while the stale marker still stands.
    const [outcome] = await handler(s3Event({ bucket, key, versionId: 'v-crash' }), lambdaContext());

    // Assert
    expect(outcome).toMatchObject({ accepted: 1, duplicate: false, waitedForOtherInvocation: true });
    const messages = await drainQueue(sqs, queueUrl, 1);
    expect(messages.map((message) => message.Attributes?.MessageGroupId)).toEqual(['ord-crash1']);
  });

  it('fails, so Lambda retries the event, when the marker outlives what this invocation may wait', async () => {
    // Arrange: 31 s left and 30 s kept in reserve; the holder's marker stands for ten minutes.
    const key = 'incoming/held.jsonl';
    await putObject(s3, bucket, key, toJsonLines([anOrder({ orderId: 'ord-held1' })]));
    await leaveInProgressMarker(dynamodb, table, { bucket, key, version: 'v-held' }, 600_000);

    // Act
    const handling = handler(s3Event({ bucket, key, versionId: 'v-held' }), lambdaContext(31_000));

    // Assert
    await expect(handling).rejects.toThrow(IdempotencyAlreadyInProgressError);
    expect(await drainQueue(sqs, queueUrl, 0)).toEqual([]);
  });
});
