import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { OrderReport } from '../../cli/order/order';
import { type CliClients, endpointsFromEnv, makeCliClients } from '../../cli/shared/clients';
import { namesFromOutputs, type PipelineNames } from '../../cli/shared/names';
import { getOrder } from '../../cli/shared/orders';
import { peekMessages } from '../../cli/shared/queue-messages';
import { flattenOutputs } from '../../cli/shared/target';
import {
  freePort,
  type LocalUp,
  orderflow,
  pollUntil,
  runProgram,
  startLocalUp,
} from '../helpers/cli-process';
import { anOrder, toJsonLines } from '../helpers/orders';

/**
 * Every operator command as a user runs it: its own process, against one `orderflow local up`
 * shared by the file, with the variables its env.sh exports. Assertions on exit codes and on what
 * a user reads; the SDK (real clients over HTTP) only arranges and double-checks.
 */
// Each test spawns several CLI processes (about 1 s of CPU each): more than the global budget on a
// loaded machine.
jest.setTimeout(240_000);

describe('orderflow CLI against the local runtime', () => {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'orderflow-cli-'));
  let up: LocalUp;
  let clients: CliClients;
  let names: PipelineNames;
  const cli = (...args: string[]) => orderflow(args, up.env);
  const orderStatus = (orderId: string) =>
    getOrder(clients.dynamodb, names.ordersTable, orderId).then((order) => order?.status);
  const dlqDepth = async () => {
    const { Attributes: a = {} } = await clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: names.ordersDlqUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return {
      visible: Number(a.ApproximateNumberOfMessages),
      hidden: Number(a.ApproximateNumberOfMessagesNotVisible),
    };
  };
  /** An order whose id an old, different record already holds: process-order dead-letters it. */
  const poison = async (orderId: string) => {
    await clients.dynamodb.send(
      new PutCommand({
        TableName: names.ordersTable,
        Item: {
          orderId,
          status: 'RECEIVED',
          contentHash: 'a-leftover-test-record',
          history: [],
          createdAt: '2026-01-01T00:00:00.000Z',
          updatedAt: '2026-01-01T00:00:00.000Z',
        },
      }),
    );
    const file = path.join(stateDir, `${orderId}.jsonl`);
    writeFileSync(
      file,
      toJsonLines([anOrder({ orderId, items: [{ sku: 'HDMI-ADAPT', quantity: 1, unitPriceCents: 1999 }] })]),
    );
    const uploaded = await cli('upload', file, '--wait');
    expect(uploaded.code).toBe(0);
    await pollUntil(
      () => peekMessages(clients.sqs, names.ordersDlqUrl),
      (messages) => messages.some((m) => m.groupId === orderId),
      30_000,
    );
  };

  beforeAll(async () => {
    up = await startLocalUp(['--port', String(await freePort()), '--time-scale', '0.1'], stateDir);
    clients = makeCliClients(endpointsFromEnv(up.env), {
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    names = namesFromOutputs(
      flattenOutputs(JSON.parse(readFileSync(up.env.ORDERFLOW_OUTPUTS ?? '', 'utf8'))),
    );
  }, 150_000);

  afterAll(async () => {
    clients?.destroy();
    await up?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('refuses a second local up on the same --state-dir with one line and exit code 2', async () => {
    // Act
    const second = await cli('local', 'up', '--port', String(await freePort()), '--state-dir', stateDir);

    // Assert
    expect(second.code).toBe(2);
    expect(second.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/another `orderflow local up` \(pid \d+\) is using/),
    ]);
  });

  it('prints the ORDERFLOW_* variables and gives queues URLs on the one endpoint', () => {
    // Assert
    const port = new URL(up.env.AWS_ENDPOINT_URL ?? '').port;
    expect(up.output()).toContain(`export ORDERFLOW_ORDERS_DLQ_URL=${names.ordersDlqUrl}`);
    // `sqs.<region>.127.0.0.1:<port>` is no WHATWG URL host (it ends like an IPv4 address): read the port by hand.
    expect(/^http:\/\/[^/]+:(\d+)\//.exec(names.ordersDlqUrl)?.[1]).toBe(port);
  });

  it('seeds, uploads with --wait, and refuses what ingest would never read, each failure one line', async () => {
    // Arrange
    const badCsv = path.join(stateDir, 'bad.csv');
    writeFileSync(badCsv, 'sku,available\nX-1,lots\n');

    // Act
    const dryRun = await cli('seed', 'samples/inventory.csv', '--dry-run');
    const seeded = await cli('seed', 'samples/inventory.csv');
    const uploaded = await cli('upload', 'samples/orders.jsonl', '--wait');
    const failures = await Promise.all([
      cli('seed', badCsv),
      cli('upload', 'samples/missing.jsonl'),
      cli('upload', 'samples/orders.jsonl', '--key', 'orders.jsonl'),
      cli('upload', 'samples/inventory.csv', '--key', 'incoming/stock.txt'),
      cli('local', 'up', '--port', '70000'),
    ]);

    // Assert
    expect([dryRun.code, seeded.code, uploaded.code]).toEqual([0, 0, 0]);
    expect(dryRun.stdout).toContain('Dry run: 12 sku(s) would be written');
    expect(uploaded.stdout).toContain(
      'Ingested incoming/orders.jsonl: 26 record(s) read, 21 accepted, 5 rejected',
    );
    expect(failures.map((run) => run.code)).toEqual([2, 2, 2, 2, 2]);
    for (const run of failures)
      expect(run.stderr.trim().split('\n')).toHaveLength(failures.indexOf(run) === 4 ? 2 : 1);
    expect(failures[0]?.stderr).toContain('line 2: expected sku and a whole available count');
    expect(failures[1]?.stderr).toContain('samples/missing.jsonl: no such file');
    expect(failures[2]?.stderr).toContain('orders.jsonl is outside incoming/');
    expect(failures[3]?.stderr).toContain('unsupported file type');
  });

  it('shows an order with its ledger, the provider’s books and its execution; lists orders by status', async () => {
    // Arrange: the sample orders settled (a loaded machine may cancel one on a timeout: take any completed one)
    await pollUntil(
      () => orderStatus('ord-2026-1001'),
      (status) => status === 'COMPLETED' || status === 'CANCELLED',
      60_000,
    );
    const completed = await cli('orders', '--status', 'COMPLETED', '--since', '1h', '--json');
    const orderId = (JSON.parse(completed.stdout) as { orderId: string }[])[0]?.orderId ?? 'none completed';

    // Act
    const [json, text, alias, missing, empty] = await Promise.all([
      cli('order', orderId, '--json'),
      cli('order', orderId),
      cli('status', orderId),
      cli('order', 'ord-none'),
      cli('order', ''),
    ]);

    // Assert
    expect([completed.code, json.code, text.code, alias.code, missing.code, empty.code]).toEqual([
      0, 0, 0, 0, 1, 2,
    ]);
    const report = JSON.parse(json.stdout) as OrderReport;
    expect(report.order.status).toBe('COMPLETED');
    expect(report.ledger).toMatchObject({ status: 'CHARGED' });
    expect(report.provider.netChargedCents).toBe(report.ledger?.amountCents);
    expect(report.execution?.status).toBe('SUCCEEDED');
    expect(report.execution?.statesEntered).toContain('ChargePayment');
    expect(text.stdout).toMatch(/provider {2}charged \d+\.\d\d [A-Z]{3}; net \d+\.\d\d/);
    expect(alias.stdout).toBe(text.stdout);
    expect(empty.stderr.trim()).toBe('orderflow: an orderId is required, e.g. `orderflow order ord-1001`');
  });

  it('ends quietly when the reader of its output goes away (| head)', async () => {
    // Act
    const piped = await runProgram(
      'sh',
      ['-c', `"${process.execPath}" --import tsx bin/orderflow.ts orders | head -c 1`],
      up.env,
    );

    // Assert
    expect({ code: piped.code, stderr: piped.stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('says to start local up, in one line with exit code 4, when the runtime does not answer', async () => {
    // Arrange
    const closed = `http://127.0.0.1:${await freePort()}`;
    const env = Object.fromEntries(
      Object.entries(up.env).map(([key, value]) => [
        key,
        key.startsWith('AWS_ENDPOINT_URL') ? closed : value,
      ]),
    );

    // Act
    const run = await orderflow(['order', 'ord-2026-1001'], { ...env, AWS_MAX_ATTEMPTS: '1' });

    // Assert
    expect(run.code).toBe(4);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringContaining('start the local runtime with `npx orderflow local up`'),
    ]);
  });

  it('starts the README’s hand-made execution as printed, and orderflow start of the same file is a duplicate', async () => {
    // Act: the README's command, word for word
    const started = await runProgram(
      'aws',
      [
        'stepfunctions',
        'start-execution',
        '--state-machine-arn',
        names.stateMachineArn,
        '--name',
        'ord-cli-1',
        '--input',
        'file://samples/order-input.json',
      ],
      up.env,
    );
    await pollUntil(
      () => orderStatus('ord-cli-1'),
      (status) => status === 'COMPLETED',
      60_000,
    );
    const again = await cli('start', 'samples/order-input.json');

    // Assert
    expect({ code: started.code, stderr: started.stderr }).toEqual({ code: 0, stderr: '' });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Order ord-cli-1 was already received');
  });

  it('walks the poison-message story: list with its reason, fix the cause, dry run, redrive, the order completes', async () => {
    // Arrange: an old record holds the order's id with other content
    await poison('ord-poison-1');

    // Act 1: look, twice; reading leaves the DLQ as it was
    const listed = await cli('dlq', 'list', '--order', 'ord-poison-1');
    const listedJson = await cli('dlq', 'list', '--json');
    const afterList = await dlqDepth();

    // Act 2: the cause is fixed (the leftover record removed), then a dry run and the redrive
    await clients.dynamodb.send(
      new DeleteCommand({ TableName: names.ordersTable, Key: { orderId: 'ord-poison-1' } }),
    );
    const dryRun = await cli('dlq', 'redrive', '--dry-run', '--order', 'ord-poison-1');
    const afterDryRun = await dlqDepth();
    const redrive = await cli('dlq', 'redrive', '--order', 'ord-poison-1');
    const status = await pollUntil(
      () => orderStatus('ord-poison-1'),
      (s) => s === 'COMPLETED',
      60_000,
    );

    // Assert
    expect([listed.code, listedJson.code, dryRun.code, redrive.code]).toEqual([0, 0, 0, 0]);
    expect(listed.stdout).toMatch(
      /ord-poison-1 .*ConflictingDuplicate: order ord-poison-1 was already received with different content/,
    );
    expect(
      (JSON.parse(listedJson.stdout) as { messages: { groupId: string }[] }).messages.map((m) => m.groupId),
    ).toContain('ord-poison-1');
    expect(afterList.hidden).toBe(0);
    expect(afterDryRun.hidden).toBe(0);
    expect(dryRun.stdout).toContain('Dry run: 1 message(s) would move');
    expect(redrive.stdout).toContain('redriven ord-poison-1');
    expect(status).toBe('COMPLETED');
    const after = await cli('dlq', 'list', '--order', 'ord-poison-1', '--json');
    expect((JSON.parse(after.stdout) as { messages: unknown[] }).messages).toEqual([]);
  });

  it('processes an order once when a redrive that crashed between send and delete runs again', async () => {
    // Arrange: a poison message, its cause fixed, then what a crash after the send leaves: the
    // message on orders.fifo (fresh dedup id) and still in the DLQ
    await poison('ord-poison-2');
    await clients.dynamodb.send(
      new DeleteCommand({ TableName: names.ordersTable, Key: { orderId: 'ord-poison-2' } }),
    );
    const message = await pollUntil(
      async () =>
        (
          await clients.sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: names.ordersDlqUrl,
              MaxNumberOfMessages: 10,
              VisibilityTimeout: 5,
              MessageAttributeNames: ['All'],
              MessageSystemAttributeNames: ['All'],
            }),
          )
        ).Messages?.find((m) => m.Attributes?.MessageGroupId === 'ord-poison-2'),
      (found) => found !== undefined,
      10_000,
    );
    await clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: names.ordersQueueUrl,
        MessageBody: message?.Body ?? '',
        MessageGroupId: 'ord-poison-2',
        MessageDeduplicationId: randomUUID(),
      }),
    );
    await clients.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: names.ordersDlqUrl,
        ReceiptHandle: message?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );

    // Act: the rerun sends it again
    const rerun = await cli('dlq', 'redrive', '--order', 'ord-poison-2');
    await pollUntil(
      () => orderStatus('ord-poison-2'),
      (s) => s === 'COMPLETED',
      60_000,
    );
    const queueDrained = await pollUntil(
      async () => {
        const { Attributes: a = {} } = await clients.sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: names.ordersQueueUrl, AttributeNames: ['All'] }),
        );
        return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible);
      },
      (depth) => depth === 0,
      60_000,
    );
    const report = JSON.parse((await cli('order', 'ord-poison-2', '--json')).stdout) as OrderReport;
    const executions = await clients.sfn.send(
      new ListExecutionsCommand({ stateMachineArn: names.stateMachineArn }),
    );

    // Assert: sent twice, processed once: one execution, one charge, one completion
    expect(rerun.stdout).toContain('redriven ord-poison-2');
    expect(queueDrained).toBe(0);
    expect(executions.executions?.filter((e) => e.name === 'ord-poison-2')).toHaveLength(1);
    expect(report.execution?.statesEntered.filter((state) => state === 'ChargePayment')).toHaveLength(1);
    expect(report.provider.netChargedCents).toBe(1999);
    expect(report.order.history.filter((entry) => entry.status === 'COMPLETED')).toHaveLength(1);
    const left = await cli('dlq', 'list', '--order', 'ord-poison-2', '--json');
    expect((JSON.parse(left.stdout) as { messages: unknown[] }).messages).toEqual([]);
  });

  it('verifies every guarantee against what the runs above left, and says so with exit code 0', async () => {
    // Act: verify judges a settled pipeline; a message the tests above redrove may still be on its way
    // back to the DLQ, so ask again until every guarantee holds or the deadline passes (then it fails
    // with the last answer's violations).
    const run = await pollUntil(
      () => cli('verify', '--json'),
      (answer) => answer.code === 0,
      90_000,
    ).catch(() => cli('verify', '--json'));

    // Assert
    expect({
      code: run.code,
      violations: (JSON.parse(run.stdout) as { violations: unknown[] }).violations,
    }).toEqual({
      code: 0,
      violations: [],
    });
  });
});
