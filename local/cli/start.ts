import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { contentHash, validateOrder } from '#shared/schemas/order-placed';
import { startSaga } from '../../functions/process-order/saga-start';
import type { Target } from './target';

/**
 * `orderflow start <file>`: starts the saga for one order from a JSON file, the way process-order
 * starts it (name = orderId, the same input shape, the same duplicate rules), without the queue.
 * The order item is not put as RECEIVED first; the saga's own status writes create it.
 */
export const startFromFile = async (
  { clients, names }: Target,
  file: string,
  out: NodeJS.WriteStream,
): Promise<number> => {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    out.write(`${file}: not a JSON file (${(error as Error).message})\n`);
    return 1;
  }
  const result = validateOrder(value);
  if (!result.ok) {
    out.write(`${file}: not a valid OrderPlaced v1 order\n`);
    for (const reason of result.reasons) out.write(`  - ${reason}\n`);
    return 1;
  }
  const outcome = await startSaga(clients.sfn, {
    stateMachineArn: names.stateMachineArn,
    orderId: result.order.orderId,
    contentHash: contentHash(result.canonical),
    canonical: result.canonical,
    correlationId: `cli:${path.basename(file)}`,
  });
  out.write(
    `${outcome.kind === 'started' ? 'Started' : 'Already started'} ${outcome.executionArn}\n` +
      `Follow it with: orderflow status ${result.order.orderId}\n`,
  );
  return 0;
};
