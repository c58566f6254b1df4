import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseSagaInput } from '#shared/domain/saga-input';
import { ConflictingDuplicate } from '#shared/errors/index';
import { placeOrder } from '../../functions/process-order/place-order';
import { CliFailure, EXIT, UsageError } from '../shared/errors';
import type { Target } from '../shared/target';

/**
 * `orderflow start <file>`: starts the saga for one order exactly the way process-order does, without
 * the queue: the order item is put as RECEIVED with its content hash (conditionally), then the
 * execution named by the orderId is started with the same input. So the same order arriving later
 * through S3 is a duplicate, and another order under the same id a conflict. The file holds the
 * order itself or the `{order, correlationId}` envelope, as a hand-started execution may.
 */
export const startFromFile = async (
  { clients, names }: Target,
  file: string,
  out: NodeJS.WriteStream,
): Promise<number> => {
  const text = await readFile(file, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file}: not a JSON file (${(error as Error).message}); start takes one order`);
  }
  const parsed = parseSagaInput(value);
  if (!parsed.ok) {
    throw new UsageError(
      `${file}: not an OrderPlaced v1 order, nor {"order": …, "correlationId": …}: ${parsed.reasons.join('; ')}`,
    );
  }
  const { orderId } = parsed.order;
  try {
    const placed = await placeOrder(
      {
        orderId,
        contentHash: parsed.contentHash,
        canonical: parsed.canonical,
        order: parsed.order,
        correlationId: parsed.correlationId ?? `cli:${path.basename(file)}`,
      },
      {
        documentClient: clients.dynamodb,
        sfn: clients.sfn,
        config: { ordersTable: names.ordersTable, stateMachineArn: names.stateMachineArn },
        clock: () => new Date(),
      },
    );
    const what = {
      started: `Started ${placed.executionArn}`,
      'already-started': `Already started: ${placed.executionArn}`,
      'already-processed': `Order ${orderId} was already received and its saga has moved it on`,
    }[placed.outcome];
    out.write(`${what}\nFollow it with: orderflow order ${orderId}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof ConflictingDuplicate)) throw error;
    throw new CliFailure(
      `${file}: ${error.message}; nothing was started (see it with \`orderflow order ${orderId}\`)`,
      EXIT.badState,
    );
  }
};
