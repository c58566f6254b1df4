import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionNotRedrivable,
  GetExecutionHistoryCommand,
  RedriveExecutionCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { localEnvironment, writeSupportFiles } from '../../cli/local/local-up';
import type { OrderReport } from '../../cli/order/order';
import { type CliClients, makeCliClients } from '../../cli/shared/clients';
import { namesFromOutputs, type PipelineNames } from '../../cli/shared/names';
import { getOrder } from '../../cli/shared/orders';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime';
import { orderflow, pollUntil } from '../helpers/cli-process';
import { anOrder } from '../helpers/orders';

/**
 * The refund-outage story for an execution that can no longer be redriven, with the CLI spawned as
 * a user runs it. The runtime runs in this process so the test can move its Step Functions clock:
 * 15 days pass, and the endpoint refuses RedriveExecution as AWS does (ExecutionNotRedrivable,
 * "redrivable period exceeded"); `orderflow repair` then starts a repair execution, linked to the
 * order, that runs only what the records say is owed.
 */
jest.setTimeout(240_000);

const DAY_MS = 24 * 3600 * 1000;

describe('orderflow CLI against a local runtime whose Step Functions clock the test moves', () => {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'orderflow-repair-'));
  let clockOffsetMs = 0;
  let runtime: LocalRuntime;
  let clients: CliClients;
  let names: PipelineNames;
  let env: NodeJS.ProcessEnv;
  const cli = (...args: string[]) => orderflow(args, env);

  beforeAll(async () => {
    runtime = await startLocalRuntime({
      stateDir,
      timeScale: 0.1,
      quiet: true,
      sfnClock: () => new Date(Date.now() + clockOffsetMs),
    });
    const local = localEnvironment(runtime);
    writeSupportFiles(runtime, local);
    env = { ...process.env, ...local };
    clients = makeCliClients(
      { s3: runtime.endpoint, sqs: runtime.endpoint, dynamodb: runtime.endpoint, sfn: runtime.endpoint },
      { credentials: { accessKeyId: runtime.aws.accessKeyId, secretAccessKey: runtime.aws.secretAccessKey } },
    );
    names = namesFromOutputs(runtime.outputs);
  }, 150_000);

  afterAll(async () => {
    clients?.destroy();
    await runtime?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('starts a linked repair execution that runs only the owed refund; the order ends CANCELLED with the money back', async () => {
    // Arrange: a refund outage; the carrier refuses the address, so the order is compensated and
    // its refund fails for good (the stock is given back in the other branch)
    const order = anOrder({ orderId: 'ord-repair-old-1', shipTo: { country: 'DE', postalCode: '00000' } });
    const file = path.join(stateDir, 'order.json');
    writeFileSync(file, JSON.stringify(order));
    const seeded = await cli('seed', 'samples/inventory.csv');
    const outage = await cli('sim', 'outage', 'start', 'refunds', '--note', 'repair test');
    const started = await cli('start', file);
    const stuck = await pollUntil(
      () => getOrder(clients.dynamodb, names.ordersTable, order.orderId),
      (found) => found?.status === 'NEEDS_ATTENTION',
      90_000,
    );
    const before = JSON.parse((await cli('order', order.orderId, '--json')).stdout) as OrderReport;
    // 15 days later: past the 14 days in which Step Functions redrives a stopped execution
    clockOffsetMs = 15 * DAY_MS;
    const executionArn = before.execution?.executionArn ?? '';
    const refused = await clients.sfn.send(new RedriveExecutionCommand({ executionArn })).then(
      () => undefined,
      (error: unknown) => error,
    );
    const ended = await cli('sim', 'outage', 'end', 'refunds');

    // Act
    const repair = await cli('repair', order.orderId, '--wait');
    const again = await cli('repair', order.orderId);
    const after = JSON.parse((await cli('order', order.orderId, '--json')).stdout) as OrderReport;
    const verified = await cli('verify', '--json');

    // Assert: stuck with the money held and the stock back
    expect([seeded.code, outage.code, started.code, ended.code]).toEqual([0, 0, 0, 0]);
    expect(stuck?.statusReason).toMatch(/^execution FAILED: PaymentGatewayError/);
    expect(before.provider.netChargedCents).toBe(order.totalCents);
    expect(refused).toBeInstanceOf(ExecutionNotRedrivable);
    expect((refused as Error).message).toBe('Execution redrivable period exceeded.');
    // one line saying why not a redrive and what the repair runs, then the outcome
    const repairName = `${order.orderId}-repair-1`;
    expect({ code: repair.code, lines: repair.stdout.trim().split('\n') }).toEqual({
      code: 0,
      lines: [
        `${order.orderId}: cannot redrive ${executionArn}: Execution redrivable period exceeded.; started repair execution ${repairName} for what the records say is owed: no live parcel; RefundPayment (ledger CHARGED ${order.totalCents} cents); no stock held (reservation RELEASED)`,
        expect.stringMatching(
          new RegExp(`^${order.orderId}: execution SUCCEEDED; order CANCELLED \\(Repaired: execution FAILED`),
        ),
      ],
    });
    expect(again).toMatchObject({ code: 0, stdout: `${order.orderId} is CANCELLED: nothing to repair\n` });
    expect(after.order.status).toBe('CANCELLED');
    expect(after.provider.netChargedCents).toBe(0);
    expect(after.ledger).toMatchObject({ status: 'REFUNDED' });
    // linked from the order, and it ran the refund and nothing else owed nothing
    const { Item } = await clients.dynamodb.send(
      new GetCommand({ TableName: names.ordersTable, Key: { orderId: order.orderId } }),
    );
    const repairArn = `${names.repairStateMachineArn?.replace(':stateMachine:', ':execution:')}:${repairName}`;
    expect(Item?.repairExecutionArn).toBe(repairArn);
    const history = await clients.sfn.send(new GetExecutionHistoryCommand({ executionArn: repairArn }));
    const tasks = (history.events ?? []).flatMap((event) =>
      event.type === 'TaskStateEntered' ? [event.stateEnteredEventDetails?.name] : [],
    );
    expect(tasks).toEqual(['RefundPayment', 'RecordCancelled']);
    // the original execution stays FAILED; `order` shows both; verify accepts the order through its linked repair
    expect(after.execution?.status).toBe('FAILED');
    expect(after.repairExecution).toMatchObject({ executionArn: repairArn, status: 'SUCCEEDED' });
    expect({
      code: verified.code,
      violations: (JSON.parse(verified.stdout) as { violations: unknown[] }).violations,
    }).toEqual({ code: 0, violations: [] });
  });

  it('repairs an execution that started on a definition ending in a Fail state, where a redrive cannot reach the refund', async () => {
    // Arrange: a definition like the one before compensations failed at their own step: GiveBack's
    // failure is caught, the order is recorded NEEDS_ATTENTION, and the execution ends in a Fail state
    clockOffsetMs = 0;
    const current = await clients.sfn.send(
      new DescribeStateMachineCommand({ stateMachineArn: names.stateMachineArn }),
    );
    const legacy = JSON.parse(current.definition ?? '{}') as {
      States: Record<string, Record<string, unknown>>;
    };
    // RecordCancelled ends the saga; the copy goes on to the Fail state instead
    const { End: _end, ...recordCancelled } = legacy.States.RecordCancelled as {
      Parameters: { Payload: object };
      End?: boolean;
    };
    legacy.States.GiveBack = {
      ...legacy.States.GiveBack,
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.refundError', Next: 'RecordNeedsAttention' }],
    };
    legacy.States.RecordNeedsAttention = {
      ...recordCancelled,
      Parameters: {
        ...recordCancelled.Parameters,
        Payload: { ...recordCancelled.Parameters.Payload, status: 'NEEDS_ATTENTION' },
      },
      Next: 'NeedsAttention',
    };
    legacy.States.NeedsAttention = { Type: 'Fail', Error: 'NeedsAttention', Cause: 'a compensation failed' };
    const order = anOrder({ orderId: 'ord-repair-legacy-1', shipTo: { country: 'DE', postalCode: '00000' } });
    const file = path.join(stateDir, 'legacy-order.json');
    writeFileSync(file, JSON.stringify(order));
    await clients.sfn.send(
      new UpdateStateMachineCommand({
        stateMachineArn: names.stateMachineArn,
        definition: JSON.stringify(legacy),
      }),
    );
    await cli('sim', 'outage', 'start', 'refunds');
    const started = await cli('start', file);
    const executionArn = `${names.stateMachineArn.replace(':stateMachine:', ':execution:')}:${order.orderId}`;
    const failed = await pollUntil(
      () => clients.sfn.send(new DescribeExecutionCommand({ executionArn })),
      (described) => described.status !== 'RUNNING',
      90_000,
    );
    // The stack is updated to today's definition; the execution keeps the one it started with
    await clients.sfn.send(
      new UpdateStateMachineCommand({
        stateMachineArn: names.stateMachineArn,
        definition: current.definition,
      }),
    );
    await cli('sim', 'outage', 'end', 'refunds');

    // Act
    const repair = await cli('repair', order.orderId, '--wait');
    const after = JSON.parse((await cli('order', order.orderId, '--json')).stdout) as OrderReport;
    const verified = await cli('verify', '--json');

    // Assert
    expect(started.code).toBe(0);
    expect(failed).toMatchObject({ status: 'FAILED', error: 'NeedsAttention', redriveStatus: 'REDRIVABLE' });
    const [first, second] = repair.stdout.trim().split('\n');
    expect(repair.code).toBe(0);
    expect(first).toContain(
      `${order.orderId}: cannot redrive ${executionArn}: it ended in the Fail state NeedsAttention of the definition it started with, so a redrive would only fail there again; started repair execution ${order.orderId}-repair-1 for what the records say is owed:`,
    );
    expect(first).toContain(`RefundPayment (ledger CHARGED ${order.totalCents} cents)`);
    expect(second).toMatch(
      new RegExp(`^${order.orderId}: execution SUCCEEDED; order CANCELLED \\(Repaired: `),
    );
    expect(after.order.status).toBe('CANCELLED');
    expect(after.provider.netChargedCents).toBe(0);
    expect(after.execution?.statesEntered).toContain('NeedsAttention');
    expect(after.repairExecution?.status).toBe('SUCCEEDED');
    expect({
      code: verified.code,
      violations: (JSON.parse(verified.stdout) as { violations: unknown[] }).violations,
    }).toEqual({ code: 0, violations: [] });
  });

  it('seeds a deployed stage net of what open orders hold, refusing a count below it unless --force; --dry-run writes nothing', async () => {
    // Arrange: an order in flight (no order item yet counts as open) holds 5 units of a sku; a count of 3 on hand would not cover it
    await clients.dynamodb.send(
      new PutCommand({
        TableName: names.reservationsTable,
        Item: {
          orderId: 'ord-seed-held-1',
          status: 'RESERVED',
          lines: [{ sku: 'SEED-HELD-1', quantity: 5 }],
          reservedAt: '2026-12-01T00:00:00.000Z',
        },
      }),
    );
    const csv = path.join(stateDir, 'stock.csv');
    writeFileSync(csv, 'sku,available\nSEED-HELD-1,3\nSEED-FREE-1,7\n');
    // --outputs names a deployed stage's outputs file (here the local runtime's, with its endpoint)
    const outputs = env.ORDERFLOW_OUTPUTS ?? '';
    const available = async (sku: string) =>
      (
        await clients.dynamodb.send(
          new GetCommand({ TableName: names.inventoryTable, Key: { sku }, ConsistentRead: true }),
        )
      ).Item?.available;

    // Act
    const dryRun = await cli('seed', csv, '--outputs', outputs, '--dry-run');
    const afterDryRun = await available('SEED-FREE-1');
    const refused = await cli('seed', csv, '--outputs', outputs);
    const afterRefusal = await available('SEED-FREE-1');
    const forced = await cli('seed', csv, '--outputs', outputs, '--force');

    // Assert
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toContain(
      'SEED-HELD-1      new 0  (on hand 3; open orders hold 5, completed 0; seeded 5)',
    );
    expect(dryRun.stdout).toContain('Dry run: 2 sku(s) would be written to');
    expect(dryRun.stdout).toContain(
      'without --force it would refuse 1 sku(s) counting fewer than open orders hold (SEED-HELD-1: 3 < 5 held)',
    );
    expect(afterDryRun).toBeUndefined();
    expect({ code: refused.code, lines: refused.stderr.trim().split('\n') }).toEqual({
      code: 1,
      lines: [
        expect.stringMatching(/^Reading .* \(a Scan: it has no index by sku\) and the status of the orders/),
        'orderflow: 1 sku(s) count fewer units on hand than orders in flight or needing attention hold (SEED-HELD-1: 3 < 5 held); nothing written: check with --dry-run, then pass --force to set their available to 0',
      ],
    });
    expect(afterRefusal).toBeUndefined();
    expect(forced).toMatchObject({ code: 0, stdout: expect.stringContaining('Seeded 2 skus into') });
    expect([await available('SEED-HELD-1'), await available('SEED-FREE-1')]).toEqual([0, 7]);
  });
});
