import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { DynamoProviderBooks, isLiveParcel, netChargedCents } from '#shared/adapters/provider-books';
import { makeDocumentClient } from '#shared/aws/clients';
import { settleTargetOf, waitUntilSettled } from '../../cli/local/settle';
import { repairOrder } from '../../cli/repair/repair';
import { type CliClients, makeCliClients } from '../../cli/shared/clients';
import { namesFromOutputs, type PipelineNames } from '../../cli/shared/names';
import { getOrder } from '../../cli/shared/orders';
import { peekMessages } from '../../cli/shared/queue-messages';
import { endOutage, startOutage } from '../../cli/sim/outage';
import { startFromFile } from '../../cli/start/start';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime';
import { anOrder } from '../helpers/orders';
import { outcomesOf, runSampleJourney, SAMPLE_OUTCOMES } from '../helpers/sample-journey';

const portIsClosed = (endpoint: string): Promise<boolean> =>
  new Promise((resolve) => {
    const { hostname, port } = new URL(endpoint);
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });

const processIsGone = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
};

/** A writable that keeps what the CLI prints. */
const capture = () => {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  return { stream, text: () => chunks.join('') };
};

const pollUntil = async <T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

describe('the local runtime', () => {
  let runtime: LocalRuntime;
  let clients: CliClients;
  let names: PipelineNames;

  beforeAll(async () => {
    // Task timeouts of 30 s × 0.1: at × 0.05 (1.5 s) a busy 2-core machine sometimes timed a step out.
    runtime = await startLocalRuntime({ timeScale: 0.1, quiet: true });
    const credentials = {
      accessKeyId: runtime.aws.accessKeyId,
      secretAccessKey: runtime.aws.secretAccessKey,
    };
    const endpoint = runtime.endpoint;
    clients = makeCliClients(
      { s3: endpoint, sqs: endpoint, dynamodb: endpoint, sfn: endpoint },
      { credentials },
    );
    names = namesFromOutputs(runtime.outputs);
  }, 60_000);

  afterAll(async () => {
    clients?.destroy();
    await runtime?.stop();
  });

  it('runs every sample order from an uploaded file to its expected final state', async () => {
    // Arrange: the key has a space, which S3 notifications form-encode
    const key = 'incoming/sample orders.jsonl';

    // Act: seed and upload as a user would
    const { view, unsettled, orders } = await runSampleJourney(runtime, clients, names, key, 40_000);

    // Assert: through DynamoDB
    expect(unsettled).toBeUndefined();
    expect(view.report?.summary).toMatchObject({ recordsRead: 26, accepted: 21, rejected: 5 });
    expect(outcomesOf(orders)).toEqual(SAMPLE_OUTCOMES);
    expect(orders.find((order) => order.orderId === 'ord-2026-1001')?.correlationId).toBe(
      `${names.ingestBucket}/${key}#1`,
    );
    // Assert: through SQS — the later ord-2026-1002 with other content is in the DLQ, with its reason
    const dead = await peekMessages(clients.sqs, names.ordersDlqUrl);
    expect(dead.map((message) => [message.groupId, message.attributes.errorType])).toEqual([
      ['ord-2026-1002', 'ConflictingDuplicate'],
    ]);
    expect(dead[0]?.attributes.correlationId).toBe(`${names.ingestBucket}/${key}#26`);
  }, 60_000);

  it('reports the same outcomes through the Step Functions API', async () => {
    // Act
    const listed = await clients.sfn.send(
      new ListExecutionsCommand({ stateMachineArn: names.stateMachineArn }),
    );
    const rejected = await clients.sfn.send(
      new DescribeExecutionCommand({
        executionArn: `${names.stateMachineArn.replace(':stateMachine:', ':execution:')}:ord-2026-1009`,
      }),
    );

    // Assert
    expect(listed.executions?.map((execution) => execution.name).sort()).toEqual(
      Object.keys(SAMPLE_OUTCOMES).sort(),
    );
    expect(new Set(listed.executions?.map((execution) => execution.status))).toEqual(new Set(['SUCCEEDED']));
    expect(JSON.parse(rejected.output ?? '{}')).toMatchObject({ outcome: { status: 'REJECTED' } });
  });

  it('counts the API calls the pipeline made, per service', () => {
    // Act
    const calls = runtime.apiCalls();

    // Assert: one StartExecution per distinct order; the duplicate line was deduplicated before
    expect(calls.states?.operations.StartExecution).toBe(19);
    expect(calls.s3?.operations.PutObject).toBeGreaterThanOrEqual(2);
    expect(calls.sqs?.operations.SendMessageBatch).toBeGreaterThanOrEqual(2);
  });

  it('runs a saga started directly with StartExecution', async () => {
    // Arrange
    const order = anOrder({ orderId: 'ord-direct-1', payment: { token: 'tok_flaky' } });

    // Act
    const { executionArn } = await clients.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: names.stateMachineArn,
        name: order.orderId,
        input: JSON.stringify({ order, correlationId: 'test/direct#1' }),
      }),
    );
    const described = await pollUntil(
      () => clients.sfn.send(new DescribeExecutionCommand({ executionArn })),
      (execution) => execution.status !== 'RUNNING',
      20_000,
    );

    // Assert: tok_flaky fails twice and is retried (backoff × timeScale) before it is charged
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output ?? '{}')).toMatchObject({
      payment: { status: 'CHARGED' },
      confirmation: { status: 'COMPLETED' },
    });
  }, 30_000);

  it('starts a saga from an order file with the CLI, once, and refuses an invalid file with its reasons', async () => {
    // Arrange
    const directory = mkdtempSync(path.join(tmpdir(), 'orderflow-start-'));
    const valid = path.join(directory, 'order.json');
    const invalid = path.join(directory, 'bad.json');
    const order = anOrder({
      orderId: 'ord-cli-start-1',
      items: [{ sku: 'HDMI-ADAPT', quantity: 1, unitPriceCents: 1999 }],
    });
    writeFileSync(valid, JSON.stringify(order));
    writeFileSync(invalid, JSON.stringify({ ...order, totalCents: 1 }));
    const out = capture();
    const target = { clients, names };

    // Act
    const [first, again, refused] = await (async () => {
      try {
        return [
          await startFromFile(target, valid, out.stream),
          await startFromFile(target, valid, out.stream),
          // A refused file is a usage error: one line, exit code 2 (cli/shared/errors.ts).
          await startFromFile(target, invalid, out.stream).catch((error: Error) => {
            out.stream.write(error.message);
            return 2;
          }),
        ];
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    })();
    const settled = await pollUntil(
      () => getOrder(clients.dynamodb, names.ordersTable, order.orderId),
      (item) => item?.status === 'COMPLETED',
      20_000,
    );

    // Assert
    expect([first, again, refused]).toEqual([0, 0, 2]);
    // A repeated start with the same input is the same execution (AWS: idempotent while running,
    // ExecutionAlreadyExists with the same order once closed): one execution for the order.
    const executions = await clients.sfn.send(
      new ListExecutionsCommand({ stateMachineArn: names.stateMachineArn }),
    );
    expect(executions.executions?.filter((execution) => execution.name === order.orderId)).toHaveLength(1);
    expect(out.text()).toContain('totalCents: totalCents is 1 but the items add up to 1999');
    expect(settled?.status).toBe('COMPLETED');
  }, 30_000);

  it('treats an order started with the CLI and arriving later through S3 as a duplicate, not a conflict', async () => {
    // Arrange: the CLI writes the order as process-order does (RECEIVED with its content hash)
    const directory = mkdtempSync(path.join(tmpdir(), 'orderflow-start-'));
    const file = path.join(directory, 'order.json');
    const order = anOrder({
      orderId: 'ord-cli-then-s3',
      items: [{ sku: 'HDMI-ADAPT', quantity: 1, unitPriceCents: 1999 }],
    });
    writeFileSync(file, JSON.stringify(order));
    const started = await startFromFile({ clients, names }, file, capture().stream).finally(() =>
      rmSync(directory, { recursive: true, force: true }),
    );
    await pollUntil(
      () => getOrder(clients.dynamodb, names.ordersTable, order.orderId),
      (item) => item?.status === 'COMPLETED',
      20_000,
    );
    const key = 'incoming/later-through-s3.jsonl';

    // Act
    await clients.s3.send(
      new PutObjectCommand({ Bucket: names.ingestBucket, Key: key, Body: `${JSON.stringify(order)}\n` }),
    );
    const { unsettled } = await waitUntilSettled(settleTargetOf(runtime, clients, names, key), {
      deadline: Date.now() + 30_000,
    });

    // Assert
    expect(started).toBe(0);
    expect(unsettled).toBeUndefined();
    const dead = await peekMessages(clients.sqs, names.ordersDlqUrl);
    expect(dead.filter((message) => message.groupId === order.orderId)).toEqual([]);
    const item = await getOrder(clients.dynamodb, names.ordersTable, order.orderId);
    expect(item?.status).toBe('COMPLETED');
  }, 60_000);

  it("gives back a lost charge and cancels a parcel booked with a lost answer, in the provider's one set of books", async () => {
    // Arrange: each function loads its own modules, as its own bundle would; the books are a table
    const lostCharge = anOrder({ orderId: 'ord-books-charge', payment: { token: 'tok_charge_timeout' } });
    const lostBooking = anOrder({
      orderId: 'ord-books-parcel',
      shipTo: { country: 'DE', postalCode: '99998' },
    });
    const books = new DynamoProviderBooks(
      makeDocumentClient(clients.dynamodb),
      runtime.outputs.ProviderTableName ?? '',
    );

    // Act
    await Promise.all(
      [lostCharge, lostBooking].map((order) =>
        clients.sfn.send(
          new StartExecutionCommand({
            stateMachineArn: names.stateMachineArn,
            name: order.orderId,
            input: JSON.stringify({ order, correlationId: `test/books#${order.orderId}` }),
          }),
        ),
      ),
    );
    const settled = await Promise.all(
      [lostCharge, lostBooking].map((order) =>
        pollUntil(
          () => getOrder(clients.dynamodb, names.ordersTable, order.orderId),
          (found) => found?.status === 'CANCELLED' || found?.status === 'NEEDS_ATTENTION',
          30_000,
        ),
      ),
    );

    // Assert: the charge's books are the void's books, the booking's books are the cancellation's
    expect(settled.map((order) => order?.status)).toEqual(['CANCELLED', 'CANCELLED']);
    const chargeBook = await books.payment(lostCharge.orderId);
    expect(chargeBook.charge?.amountCents).toBe(lostCharge.totalCents);
    expect(netChargedCents(chargeBook)).toBe(0);
    const parcelBook = await books.shipment(lostBooking.orderId);
    expect(parcelBook.shipment?.trackingId).toMatch(/^SIM/);
    expect(isLiveParcel(parcelBook)).toBe(false);
    expect(netChargedCents(await books.payment(lostBooking.orderId))).toBe(0);
  }, 60_000);

  it('hands an execution that ended without an outcome to execution-ended through the EventBridge rule', async () => {
    // Arrange: the gateway keeps failing, so the saga sits in ChargePayment's retry backoff
    const order = anOrder({ orderId: 'ord-aborted-1', payment: { token: 'tok_gateway_down' } });
    const { executionArn } = await clients.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: names.stateMachineArn,
        name: order.orderId,
        input: JSON.stringify({ order, correlationId: 'test/aborted#1' }),
      }),
    );
    await pollUntil(
      () => getOrder(clients.dynamodb, names.ordersTable, order.orderId),
      (found) => found?.status === 'RESERVED',
      10_000,
    );

    // Act
    await clients.sfn.send(
      new StopExecutionCommand({ executionArn, error: 'Operator', cause: 'stopped by a test' }),
    );
    const marked = await pollUntil(
      () => getOrder(clients.dynamodb, names.ordersTable, order.orderId),
      (found) => found?.status === 'NEEDS_ATTENTION',
      10_000,
    );

    // Assert
    expect(marked?.status).toBe('NEEDS_ATTENTION');
    expect(marked?.statusReason).toContain('ABORTED');
    const executionEnded = [...runtime.invocations()].find(([name]) => name.includes('ExecutionEnded'));
    expect(executionEnded?.[1].invocations).toBe(1);
  }, 30_000);

  it('settles a refund outage: NEEDS_ATTENTION through the EventBridge rule, then repair after the outage ends', async () => {
    // Arrange: the provider answers no refund; the carrier refuses the address, so the order is compensated
    const order = anOrder({ orderId: 'ord-refund-outage-1', shipTo: { country: 'DE', postalCode: '00000' } });
    await startOutage(clients.dynamodb, names.providerTable, 'refunds', new Date(), 'local runtime test');
    const books = new DynamoProviderBooks(clients.dynamodb, names.providerTable);
    try {
      await clients.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: names.stateMachineArn,
          name: order.orderId,
          input: JSON.stringify({ order, correlationId: 'test/refund-outage#1' }),
        }),
      );
      const stuck = await pollUntil(
        () => getOrder(clients.dynamodb, names.ordersTable, order.orderId),
        (found) => found?.status === 'NEEDS_ATTENTION',
        40_000,
      );
      const heldCents = netChargedCents(await books.payment(order.orderId));

      // Act: the outage ends; the operator repairs the order
      await endOutage(clients.dynamodb, names.providerTable, 'refunds');
      const out = capture();
      const exitCode = await repairOrder(clients, names, order.orderId, out.stream, {
        wait: true,
        pollMs: 100,
        waitMs: 30_000,
      });

      // Assert
      expect(stuck?.statusReason).toMatch(/^execution FAILED: PaymentGatewayError \(refunds unavailable/);
      expect(heldCents).toBe(order.totalCents);
      expect(exitCode).toBe(0);
      expect(out.text()).toContain(`${order.orderId}: redrove`);
      expect((await getOrder(clients.dynamodb, names.ordersTable, order.orderId))?.status).toBe('CANCELLED');
      expect(netChargedCents(await books.payment(order.orderId))).toBe(0);
    } finally {
      await endOutage(clients.dynamodb, names.providerTable, 'refunds');
    }
  }, 90_000);

  it('stops without leaving anything running', async () => {
    // Arrange
    const { dynamoDbPid, endpoint, direct, stateDir } = runtime;

    // Act
    await runtime.stop();

    // Assert
    expect(dynamoDbPid).toBeDefined();
    const javaGone = await pollUntil(async () => processIsGone(dynamoDbPid ?? 0), Boolean, 5_000);
    expect(javaGone).toBe(true);
    for (const url of [endpoint, direct.fauxqs, direct.dynamodb, direct.sfn]) {
      expect(await portIsClosed(url)).toBe(true);
    }
    expect(existsSync(stateDir)).toBe(false);
  }, 20_000);
});
