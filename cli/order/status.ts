import { DescribeExecutionCommand, ExecutionDoesNotExist } from '@aws-sdk/client-sfn';
import { getOrder } from '../shared/orders';
import type { Target } from '../shared/target';

/** `orderflow status <orderId>`: the order's status, reason and timeline, and its saga execution. */
export const showStatus = async (
  { clients, names }: Target,
  orderId: string,
  out: NodeJS.WriteStream,
): Promise<number> => {
  const order = await getOrder(clients.dynamodb, names.ordersTable, orderId);
  if (!order) {
    out.write(`${orderId}: no such order in ${names.ordersTable}\n`);
    return 1;
  }
  out.write(`${order.orderId}  ${order.status}${order.statusReason ? `  (${order.statusReason})` : ''}\n`);
  if (order.correlationId) out.write(`  from ${order.correlationId}\n`);
  for (const entry of order.history) {
    out.write(`  ${entry.at}  ${entry.status.padEnd(16)}${entry.reason ?? ''}\n`);
  }
  const executionArn = `${names.stateMachineArn.replace(':stateMachine:', ':execution:')}:${orderId}`;
  try {
    const execution = await clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
    out.write(
      `  saga execution ${execution.status}${execution.error ? ` (${execution.error}: ${execution.cause ?? ''})` : ''}\n`,
    );
  } catch (error) {
    if (!(error instanceof ExecutionDoesNotExist)) throw error;
    out.write('  no saga execution\n');
  }
  return 0;
};
