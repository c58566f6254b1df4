import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { orderPlaced } from '../../helpers/sqs-events';

/**
 * The functions' zod schemas are built only when an input needs them: building them cost milliseconds
 * of every cold start, and the usual input is answered by a fast path. Each case runs in a fresh
 * process and tells whether zod was loaded after the usual input, then after an unusual one.
 */

const ROOT = path.join(__dirname, '..', '..', '..');

/** A valid order in canonical form, as the saga carries it (source text for the child process). */
const ORDER = JSON.stringify(orderPlaced('o-1'));

const zodLoadedAfter = (
  setUp: string,
  usual: string,
  unusual: string,
): { usual: boolean; unusual: boolean } => {
  const script = [
    "const zodLoaded = () => Object.keys(require.cache).some((file) => file.split(require('node:path').sep).includes('zod'));",
    `const order = ${ORDER};`,
    setUp,
    usual,
    'const afterUsual = zodLoaded();',
    unusual,
    'process.stdout.write(JSON.stringify({ usual: afterUsual, unusual: zodLoaded() }));',
  ].join('\n');
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT });
  return JSON.parse(out.toString('utf8')) as { usual: boolean; unusual: boolean };
};

describe('zod schemas, built on first use', () => {
  it('validateOrder: not for a usual order, only for one its fast path leaves to the schema', () => {
    expect(
      zodLoadedAfter(
        "const { validateOrder } = require('./functions/shared/schemas/order-placed.ts');",
        'if (!validateOrder(order).ok) throw new Error("usual order rejected");',
        'validateOrder({ ...order, currency: "eur" });',
      ),
    ).toEqual({ usual: false, unusual: true });
  }, 60_000);

  it('parseSagaState: not for the payload the state machine passes, only for an unusual one', () => {
    expect(
      zodLoadedAfter(
        "const { parseSagaState } = require('./functions/shared/domain/saga-state.ts');",
        "parseSagaState({ order, correlationId: 'c-1', error: { Error: 'PaymentDeclined', Cause: '{}' } });",
        "parseSagaState({ order: { ...order, items: [...order.items].reverse() }, correlationId: 'c-1' });",
      ),
    ).toEqual({ usual: false, unusual: true });
  }, 60_000);

  it("execution-ended's detail: not for EventBridge's usual detail, only for a malformed one", () => {
    expect(
      zodLoadedAfter(
        "const { parseDetail } = require('./functions/saga/execution-ended/detail.ts');",
        "parseDetail({ executionArn: 'arn:x', name: 'o-1', status: 'FAILED', error: null, cause: null, input: '{}' });",
        "try { parseDetail({ executionArn: 'arn:x', name: '', status: 'FAILED' }); } catch {}",
      ),
    ).toEqual({ usual: false, unusual: true });
  }, 60_000);

  it('the ingest: not for its modules and a usual order, only for a continuation message', () => {
    expect(
      zodLoadedAfter(
        [
          "require('./functions/ingest/ingest-object.ts');",
          "const { refFromContinuation } = require('./functions/ingest/handle-continuation.ts');",
        ].join('\n'),
        "require('./functions/shared/schemas/order-placed.ts').validateOrder(order);",
        "refFromContinuation(JSON.stringify({ bucket: 'b', key: 'k', sequencer: '1', version: 'v', size: 1, checkpoint: 1 }));",
      ),
    ).toEqual({ usual: false, unusual: true });
  }, 60_000);
});
