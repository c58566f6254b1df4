import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ExecutionNotRedrivable,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  RedriveExecutionCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from '#shared/adapters/dynamo-errors';
import { EXIT } from '../shared/errors';
import { decideOwed, type RepairTables, readOrderRecords } from './owed';

export interface RepairClients {
  readonly sfn: SFNClient;
  readonly dynamodb: DynamoDBDocumentClient;
}

export interface RepairNames extends Partial<RepairTables> {
  readonly ordersTable: string;
  /** The order-repair state machine; without it (a stack from before it) `repair` only redrives. */
  readonly repairStateMachineArn?: string;
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

interface OrderRead {
  readonly item: Record<string, unknown>;
  readonly status: string;
  readonly statusReason?: string;
  readonly sagaExecutionArn?: string;
  readonly repairExecutionArn?: string;
}

const readOrder = async (
  dynamodb: DynamoDBDocumentClient,
  table: string,
  orderId: string,
): Promise<OrderRead | undefined> => {
  const { Item } = await dynamodb.send(
    new GetCommand({ TableName: table, Key: { orderId }, ConsistentRead: true }),
  );
  if (!Item) return undefined;
  const text = (name: string) => (typeof Item[name] === 'string' ? { [name]: Item[name] as string } : {});
  return {
    item: Item,
    status: String(Item.status),
    ...text('statusReason'),
    ...text('sagaExecutionArn'),
    ...text('repairExecutionArn'),
  };
};

const describe_ = (sfn: SFNClient, executionArn: string): Promise<DescribeExecutionCommandOutput> =>
  sfn.send(new DescribeExecutionCommand({ executionArn }));

const describeIfExists = async (
  sfn: SFNClient,
  executionArn: string,
): Promise<DescribeExecutionCommandOutput | undefined> => {
  try {
    return await describe_(sfn, executionArn);
  } catch (error) {
    if (error instanceof ExecutionDoesNotExist) return undefined;
    throw error;
  }
};

/** The name of the n-th repair execution of an order, and n back from a name. */
export const repairExecutionName = (orderId: string, n: number): string => `${orderId}-repair-${n}`;
const repairIndexOf = (executionArn: string): number => Number(/-repair-(\d+)$/.exec(executionArn)?.[1] ?? 0);

interface RepairContext {
  readonly clients: RepairClients;
  readonly names: RepairNames;
  readonly orderId: string;
  readonly order: OrderRead;
  readonly out: Writer;
  readonly options: RepairOptions;
}

/** The one line for records no repair can settle (docs/runbook.md, "records-disagree"). */
const disagreementLine = (orderId: string, disagreement: string): string =>
  `${orderId}: its records disagree: ${disagreement}; nothing was started: settle it by hand, see docs/runbook.md#records-disagree\n`;

/**
 * What the records say no repair can settle, read before a redrive: the redriven steps read the same
 * ledger and books as a repair execution would. Undefined when the stack names no such tables.
 */
const disagreementOf = async (context: RepairContext): Promise<string | undefined> => {
  const { paymentsTable, reservationsTable, providerTable } = context.names;
  if (!paymentsTable || !reservationsTable || !providerTable) return undefined;
  return decideOwed(
    await readOrderRecords(
      context.clients.dynamodb,
      { paymentsTable, reservationsTable, providerTable },
      context.orderId,
      context.order.item,
    ),
  ).disagreement;
};

/**
 * Redrives a FAILED, TIMED_OUT or ABORTED execution from its unsuccessful state. The clientToken is
 * derived from the execution and its redrive count: running the command twice redrives once.
 * Returns undefined when Step Functions refuses (ExecutionNotRedrivable), with its message.
 */
const redrive = async (
  sfn: SFNClient,
  execution: DescribeExecutionCommandOutput & { readonly executionArn: string },
): Promise<{ readonly redriveDate?: Date } | { readonly refused: string }> => {
  const { executionArn } = execution;
  const clientToken =
    `repair-${(execution.redriveCount ?? 0) + 1}-${executionArn.split(':').at(-1) ?? ''}`.slice(0, 64);
  try {
    const redriven = await sfn.send(new RedriveExecutionCommand({ executionArn, clientToken }));
    return redriven.redriveDate ? { redriveDate: redriven.redriveDate } : {};
  } catch (error) {
    if (!(error instanceof ExecutionNotRedrivable)) throw error;
    return { refused: error.message };
  }
};

/**
 * `orderflow repair <orderId>`: settles a NEEDS_ATTENTION order.
 * - Redrive first: the saga fails *at* the step still owed (no catch-all after a compensation's
 *   retries; the refund and the release in their own Parallel branches), so RedriveExecution runs
 *   exactly that step again, then the rest: the order ends CANCELLED (or COMPLETED when ConfirmOrder
 *   was owed).
 * - A repair execution when the saga's execution cannot be redriven: it started on a definition whose
 *   compensations ended in a Fail state (a redrive would only enter it again), it is past the 14 days
 *   or its history's 25,000-event limit, or it is gone (90 days). The order-repair machine runs the steps the records
 *   say are owed; it is named `<orderId>-repair-<n>` and linked from the order item
 *   (`repairExecutionArn`); a later `repair` redrives it, or starts the next one.
 * Every outcome is one line saying which way it went and why, or exactly why it cannot.
 */
export const repairOrder = async (
  clients: RepairClients,
  names: RepairNames,
  orderId: string,
  out: Writer,
  options: RepairOptions = {},
): Promise<number> => {
  const { sfn, dynamodb } = clients;
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
  const context: RepairContext = { clients, names, orderId, order, out, options };
  if (order.repairExecutionArn !== undefined) return continueRepair(context, order.repairExecutionArn);
  const executionArn = order.sagaExecutionArn;
  if (executionArn === undefined) {
    out.write(
      `${orderId} needs attention but has no saga execution linked: start one with \`orderflow start\`\n`,
    );
    return REPAIR_EXIT.notRepaired;
  }
  const execution = await describeIfExists(sfn, executionArn);
  if (execution === undefined) {
    return startRepair(
      context,
      `its execution ${executionArn} no longer exists (Step Functions keeps closed executions 90 days)`,
    );
  }
  if (execution.status === 'RUNNING') {
    out.write(
      `${orderId}: its execution is RUNNING (redrive ${execution.redriveCount ?? 0}); wait for it to end\n`,
    );
    return options.wait ? waitAndReport(context, executionArn) : REPAIR_EXIT.ok;
  }
  const stoppedAt = unfinishedState(await historyOf(sfn, executionArn));
  if (stoppedAt?.type === 'Fail') {
    // Executions of the definition before compensations failed at their own step: a redrive would
    // only enter the same Fail state again.
    return startRepair(
      context,
      `cannot redrive ${executionArn}: it ended in the Fail state ${stoppedAt.name} of the definition it started with, so a redrive would only fail there again`,
    );
  }
  if (execution.redriveStatus === 'NOT_REDRIVABLE') {
    return startRepair(
      context,
      `cannot redrive ${executionArn}: ${execution.redriveStatusReason ?? 'not redrivable'}`,
    );
  }
  const disagreement = await disagreementOf(context);
  if (disagreement !== undefined) {
    out.write(disagreementLine(orderId, disagreement));
    return REPAIR_EXIT.notRepaired;
  }
  const redriven = await redrive(sfn, { ...execution, executionArn });
  if ('refused' in redriven) {
    // Someone may have redriven it in between: then the saga runs again and a repair must not run beside it.
    const now = await describe_(sfn, executionArn);
    if (now.status === 'RUNNING' || (now.redriveCount ?? 0) > (execution.redriveCount ?? 0)) {
      out.write(
        `${orderId}: ${executionArn} was redriven meanwhile (now ${now.status}, redrive ${now.redriveCount ?? 0}); follow it with: orderflow repair ${orderId} --wait\n`,
      );
      return options.wait && now.status === 'RUNNING' ? waitAndReport(context, executionArn) : REPAIR_EXIT.ok;
    }
    return startRepair(context, `cannot redrive ${executionArn}: ${redriven.refused}`);
  }
  out.write(
    `${orderId}: redrove ${executionArn} from ${stoppedAt?.name ?? 'its unsuccessful state'} at ${redriven.redriveDate?.toISOString() ?? 'now'} (${execution.status}: ${execution.error ?? ''})\n`,
  );
  if (!options.wait) {
    out.write(`  follow it with: orderflow status ${orderId}\n`);
    return REPAIR_EXIT.ok;
  }
  return waitAndReport(context, executionArn);
};

/** The order already links a repair execution: follow it, redrive it, or start the next one. */
const continueRepair = async (context: RepairContext, repairArn: string): Promise<number> => {
  const { clients, orderId, out, options } = context;
  const execution = await describeIfExists(clients.sfn, repairArn);
  if (execution === undefined) {
    // Linked, then the command stopped before StartExecution: start it under the linked name.
    return startRepair(context, `its repair execution ${repairArn} was linked but never started`, repairArn);
  }
  if (execution.status === 'RUNNING') {
    out.write(`${orderId}: its repair execution ${repairArn} is RUNNING; wait for it to end\n`);
    return options.wait ? waitAndReport(context, repairArn) : REPAIR_EXIT.ok;
  }
  if (execution.status === 'SUCCEEDED') {
    out.write(
      `${orderId}: its repair execution ${repairArn} SUCCEEDED but the order is still NEEDS_ATTENTION: look with \`orderflow order ${orderId}\`, see docs/runbook.md\n`,
    );
    return REPAIR_EXIT.notRepaired;
  }
  const stoppedAt = unfinishedState(await historyOf(clients.sfn, repairArn));
  const disagreement = await disagreementOf(context);
  if (disagreement !== undefined) {
    out.write(disagreementLine(orderId, disagreement));
    return REPAIR_EXIT.notRepaired;
  }
  const redriven =
    execution.redriveStatus === 'NOT_REDRIVABLE'
      ? { refused: execution.redriveStatusReason ?? 'not redrivable' }
      : await redrive(clients.sfn, { ...execution, executionArn: repairArn });
  if ('refused' in redriven) {
    const now = await describe_(clients.sfn, repairArn);
    if (now.status === 'RUNNING' || (now.redriveCount ?? 0) > (execution.redriveCount ?? 0)) {
      out.write(
        `${orderId}: its repair execution ${repairArn} was redriven meanwhile (now ${now.status}, redrive ${now.redriveCount ?? 0}); follow it with: orderflow repair ${orderId} --wait\n`,
      );
      return options.wait && now.status === 'RUNNING' ? waitAndReport(context, repairArn) : REPAIR_EXIT.ok;
    }
    return startRepair(context, `cannot redrive its repair execution ${repairArn}: ${redriven.refused}`);
  }
  out.write(
    `${orderId}: redrove its repair execution ${repairArn} from ${stoppedAt?.name ?? 'its unsuccessful state'} (${execution.status}: ${execution.error ?? ''})\n`,
  );
  return options.wait ? waitAndReport(context, repairArn) : REPAIR_EXIT.ok;
};

/**
 * Starts the order's next repair execution for what the records say is owed, after linking it
 * from the order item (a conditional write: the order is still NEEDS_ATTENTION and nobody linked
 * another meanwhile). The name is fixed before the start, so a command stopped in between and run
 * again starts the same execution (or finds it: ExecutionAlreadyExists).
 */
const startRepair = async (context: RepairContext, why: string, reuse?: string): Promise<number> => {
  const { clients, names, orderId, order, out, options } = context;
  const { repairStateMachineArn, paymentsTable, reservationsTable, providerTable } = names;
  if (!repairStateMachineArn || !paymentsTable || !reservationsTable || !providerTable) {
    out.write(
      `${orderId}: ${why}; this stack has no order-repair state machine (deploy the current version), or settle it by hand, see docs/runbook.md\n`,
    );
    return REPAIR_EXIT.notRepaired;
  }
  const { item } = order;
  if (typeof item.order !== 'object' || item.order === null || typeof item.correlationId !== 'string') {
    out.write(
      `${orderId}: ${why}; the order item holds no order content to repair with: settle it by hand, see docs/runbook.md\n`,
    );
    return REPAIR_EXIT.notRepaired;
  }
  const decision = decideOwed(
    await readOrderRecords(
      clients.dynamodb,
      { paymentsTable, reservationsTable, providerTable },
      orderId,
      item,
    ),
  );
  if (decision.disagreement !== undefined) {
    out.write(disagreementLine(orderId, decision.disagreement));
    return REPAIR_EXIT.notRepaired;
  }
  const previous = order.repairExecutionArn;
  const n = reuse === undefined ? repairIndexOf(previous ?? '') + 1 : repairIndexOf(reuse);
  const name = repairExecutionName(orderId, n);
  const repairArn = `${repairStateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  try {
    await clients.dynamodb.send(
      new UpdateCommand({
        TableName: names.ordersTable,
        Key: { orderId },
        UpdateExpression: 'SET repairExecutionArn = :repair',
        ConditionExpression:
          previous === undefined
            ? '#status = :attention AND attribute_not_exists(repairExecutionArn)'
            : '#status = :attention AND repairExecutionArn = :previous',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':repair': repairArn,
          ':attention': 'NEEDS_ATTENTION',
          ...(previous === undefined ? {} : { ':previous': previous }),
        },
      }),
    );
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    out.write(
      `${orderId}: the order changed while the repair was being started (another repair, or it settled): run \`orderflow repair ${orderId}\` again\n`,
    );
    return REPAIR_EXIT.notRepaired;
  }
  const input = {
    order: item.order,
    correlationId: item.correlationId,
    // RecordCancelled writes the reason from here: why the order needed attention, and that it was repaired.
    error: { Error: 'Repaired', Cause: order.statusReason ?? 'needs attention' },
    repair: { of: order.sagaExecutionArn ?? null, owed: decision.owed },
  };
  try {
    await clients.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: repairStateMachineArn,
        name,
        input: JSON.stringify(input),
      }),
    );
  } catch (error) {
    // Started by an earlier run of this command that stopped before it could say so.
    if (!(error instanceof ExecutionAlreadyExists)) throw error;
  }
  out.write(
    `${orderId}: ${why}; started repair execution ${name} for what the records say is owed: ${decision.because.join('; ')}\n`,
  );
  if (!options.wait) {
    out.write(`  follow it with: orderflow repair ${orderId} --wait\n`);
    return REPAIR_EXIT.ok;
  }
  return waitAndReport(context, repairArn);
};

const waitAndReport = async (context: RepairContext, executionArn: string): Promise<number> => {
  const { clients, names, orderId, out, options } = context;
  const { sfn, dynamodb } = clients;
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
