import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ExecutionDoesNotExist,
  ExecutionNotRedrivable,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  RedriveExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { EXIT } from '../shared/errors';

export interface RepairClients {
  readonly sfn: SFNClient;
  readonly dynamodb: DynamoDBDocumentClient;
}

export interface RepairNames {
  readonly ordersTable: string;
}

export interface RepairOptions {
  /** Wait for the redriven execution to end and report the order's status then. */
  readonly wait?: boolean;
  /** @default 15 minutes: a redrive resets the execution's timeout; its retries can take minutes */
  readonly waitMs?: number;
  /** Pause between two looks while waiting. @default 2 s */
  readonly pollMs?: number;
}

/**
 * Exit codes, the CLI's own (README, "Exit codes"): the order is repaired (or on its way); it is still in a
 * bad state, or there is no such order.
 */
export const REPAIR_EXIT = { ok: EXIT.ok, notRepaired: EXIT.badState, noSuchOrder: EXIT.badState } as const;

interface Writer {
  write(text: string): unknown;
}

/** Where the execution stopped: the last state it entered and never left (a Parallel branch's own state). */
export const unfinishedState = (
  events: readonly HistoryEvent[],
): { readonly name: string; readonly type: string } | undefined => {
  const exited = new Set<string>();
  for (const event of [...events].reverse()) {
    const type = event.type ?? '';
    if (type === 'ExecutionRedriven') return undefined;
    const name = event.stateExitedEventDetails?.name ?? event.stateEnteredEventDetails?.name;
    if (name === undefined) continue;
    if (type.endsWith('StateExited')) exited.add(name);
    else if (type.endsWith('StateEntered') && !exited.has(name)) {
      return { name, type: type.replace(/StateEntered$/, '') };
    }
  }
  return undefined;
};

const historyOf = async (sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> => {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn,
        maxResults: 1000,
        nextToken,
        includeExecutionData: false,
      }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
};

const readOrder = async (dynamodb: DynamoDBDocumentClient, table: string, orderId: string) => {
  const { Item } = await dynamodb.send(
    new GetCommand({ TableName: table, Key: { orderId }, ConsistentRead: true }),
  );
  if (!Item) return undefined;
  return {
    status: String(Item.status),
    statusReason: typeof Item.statusReason === 'string' ? Item.statusReason : undefined,
    sagaExecutionArn: typeof Item.sagaExecutionArn === 'string' ? Item.sagaExecutionArn : undefined,
  };
};

const describe_ = (sfn: SFNClient, executionArn: string): Promise<DescribeExecutionCommandOutput> =>
  sfn.send(new DescribeExecutionCommand({ executionArn }));

/**
 * `orderflow repair <orderId>`: settles a NEEDS_ATTENTION order by redriving its saga execution.
 * The saga fails *at* the step still owed (no catch-all after a compensation's retries; the refund
 * and the release in their own Parallel branches), so RedriveExecution runs exactly that step again,
 * then the rest of the saga: the order ends CANCELLED (or COMPLETED when ConfirmOrder was owed).
 * The clientToken is derived from the execution and its redrive count: running the command twice
 * redrives once. When the execution cannot be redriven, it says exactly why and changes nothing.
 */
export const repairOrder = async (
  { sfn, dynamodb }: RepairClients,
  names: RepairNames,
  orderId: string,
  out: Writer,
  options: RepairOptions = {},
): Promise<number> => {
  const order = await readOrder(dynamodb, names.ordersTable, orderId);
  if (!order) {
    out.write(`${orderId}: no such order in ${names.ordersTable}\n`);
    return REPAIR_EXIT.noSuchOrder;
  }
  if (order.status !== 'NEEDS_ATTENTION') {
    const final = ['COMPLETED', 'CANCELLED', 'REJECTED'].includes(order.status);
    out.write(
      final
        ? `${orderId} is ${order.status}: nothing to repair\n`
        : `${orderId} is ${order.status}, still in flight: nothing to repair yet (orderflow status ${orderId})\n`,
    );
    return final ? REPAIR_EXIT.ok : REPAIR_EXIT.notRepaired;
  }
  const executionArn = order.sagaExecutionArn;
  if (executionArn === undefined) {
    out.write(
      `${orderId} needs attention but has no saga execution linked: start one with \`orderflow start\`\n`,
    );
    return REPAIR_EXIT.notRepaired;
  }
  let execution: DescribeExecutionCommandOutput;
  try {
    execution = await describe_(sfn, executionArn);
  } catch (error) {
    if (!(error instanceof ExecutionDoesNotExist)) throw error;
    out.write(
      `${orderId}: its execution ${executionArn} no longer exists (Step Functions keeps closed executions 90 days): settle it by hand, see docs/runbook.md\n`,
    );
    return REPAIR_EXIT.notRepaired;
  }
  if (execution.status === 'RUNNING') {
    out.write(
      `${orderId}: its execution is RUNNING (redrive ${execution.redriveCount ?? 0}); wait for it to end\n`,
    );
    return options.wait ? waitAndReport(sfn, dynamodb, names, orderId, executionArn, out, options) : 0;
  }
  const stoppedAt = unfinishedState(await historyOf(sfn, executionArn));
  if (stoppedAt?.type === 'Fail') {
    // Executions of the definition before compensations failed at their own step: a redrive would
    // only enter the same Fail state again.
    out.write(
      `${orderId}: cannot redrive ${executionArn}: it ended in the Fail state ${stoppedAt.name} (a definition from before redrivable compensations), so a redrive would fail there again; settle it by hand, see docs/runbook.md\n`,
    );
    return REPAIR_EXIT.notRepaired;
  }
  if (execution.redriveStatus === 'NOT_REDRIVABLE') {
    out.write(
      `${orderId}: cannot redrive ${executionArn}: ${execution.redriveStatusReason ?? 'not redrivable'}\n`,
    );
    return REPAIR_EXIT.notRepaired;
  }
  const clientToken =
    `repair-${(execution.redriveCount ?? 0) + 1}-${executionArn.split(':').at(-1) ?? orderId}`.slice(0, 64);
  try {
    const redriven = await sfn.send(new RedriveExecutionCommand({ executionArn, clientToken }));
    out.write(
      `${orderId}: redrove ${executionArn} from ${stoppedAt?.name ?? 'its unsuccessful state'} at ${redriven.redriveDate?.toISOString() ?? 'now'} (${execution.status}: ${execution.error ?? ''})\n`,
    );
  } catch (error) {
    if (!(error instanceof ExecutionNotRedrivable)) throw error;
    out.write(`${orderId}: cannot redrive ${executionArn}: ${error.message}\n`);
    return REPAIR_EXIT.notRepaired;
  }
  if (!options.wait) {
    out.write(`  follow it with: orderflow status ${orderId}\n`);
    return REPAIR_EXIT.ok;
  }
  return waitAndReport(sfn, dynamodb, names, orderId, executionArn, out, options);
};

const waitAndReport = async (
  sfn: SFNClient,
  dynamodb: DynamoDBDocumentClient,
  names: RepairNames,
  orderId: string,
  executionArn: string,
  out: Writer,
  options: RepairOptions,
): Promise<number> => {
  const deadline = Date.now() + (options.waitMs ?? 15 * 60_000);
  let execution = await describe_(sfn, executionArn);
  while (execution.status === 'RUNNING') {
    if (Date.now() > deadline) {
      out.write(`${orderId}: the execution is still RUNNING; follow it with: orderflow status ${orderId}\n`);
      return REPAIR_EXIT.notRepaired;
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 2_000));
    execution = await describe_(sfn, executionArn);
  }
  // The execution-ended rule runs after the status change: give the order's status a moment to follow.
  let order = await readOrder(dynamodb, names.ordersTable, orderId);
  while (execution.status === 'SUCCEEDED' && order?.status === 'NEEDS_ATTENTION' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 2_000));
    order = await readOrder(dynamodb, names.ordersTable, orderId);
  }
  out.write(
    `${orderId}: execution ${execution.status}; order ${order?.status ?? 'missing'}${order?.statusReason ? ` (${order.statusReason})` : ''}\n`,
  );
  return order?.status === 'NEEDS_ATTENTION' || execution.status !== 'SUCCEEDED'
    ? REPAIR_EXIT.notRepaired
    : REPAIR_EXIT.ok;
};
